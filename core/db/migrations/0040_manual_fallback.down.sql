DROP TABLE citizen_notices;
DROP TABLE agency_modes;
DROP INDEX transactions_state_created;
DROP INDEX transactions_replay_backlog;
DROP INDEX transactions_provisional_ref;
ALTER TABLE transactions
  DROP COLUMN conflict, DROP COLUMN parked_reason, DROP COLUMN manual_outcome, DROP COLUMN replayed_at,
  DROP COLUMN replay_pending, DROP COLUMN provisional_ref, DROP COLUMN fallback;
-- Rows in the new states cannot be represented in the old schema.
UPDATE transactions SET state = 'manual' WHERE state IN ('parked', 'conflict');
ALTER TABLE transactions DROP CONSTRAINT transactions_state_check;
ALTER TABLE transactions ADD CONSTRAINT transactions_state_check CHECK (state IN (
  'received', 'dispatched', 'retrying', 'completed', 'rejected',
  'manual', 'completed_manually', 'cancelled'));
