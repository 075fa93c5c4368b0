DROP INDEX citizen_notices_due;
DROP INDEX citizen_notices_key;
DROP INDEX citizen_notices_once;
-- Notices about anything but a transaction have no place in the old table.
DELETE FROM citizen_notices WHERE transaction_id IS NULL;
ALTER TABLE citizen_notices DROP CONSTRAINT citizen_notices_status;
UPDATE citizen_notices SET status = 'recorded';
ALTER TABLE citizen_notices ALTER COLUMN status SET DEFAULT 'recorded';
ALTER TABLE citizen_notices
  DROP COLUMN id,
  DROP COLUMN notice_key,
  DROP COLUMN body,
  DROP COLUMN attempts,
  DROP COLUMN next_attempt_at,
  DROP COLUMN sent_at,
  DROP COLUMN provider_ref,
  DROP COLUMN last_error,
  ALTER COLUMN transaction_id SET NOT NULL;
ALTER TABLE citizen_notices ADD PRIMARY KEY (transaction_id, kind);
