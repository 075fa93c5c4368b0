-- Erasure finds a citizen's walk-in tickets and outbox notices by the keyed hash of the phone
-- (PersonalDataVault.lookupHash of the normalised number) instead of locking and opening every row
-- that still holds a phone: those locks made call-next (FOR UPDATE SKIP LOCKED) skip every waiting
-- walk-in who left a phone while an erasure ran. Set wherever phone_sealed is, cleared with it.
-- NULL beside a phone: a row written before this migration (the key is not in SQL), still opened.
-- Notices tied to a transaction go with their transaction and carry none.
ALTER TABLE queue_tickets ADD COLUMN phone_hash text;
ALTER TABLE citizen_notices ADD COLUMN phone_hash text;
CREATE INDEX queue_tickets_phone ON queue_tickets (phone_hash) WHERE phone_sealed IS NOT NULL;
CREATE INDEX citizen_notices_phone ON citizen_notices (phone_hash) WHERE transaction_id IS NULL AND phone_sealed IS NOT NULL;
