-- Claims still in progress have no answer to keep.
DELETE FROM idempotency_keys WHERE status IS NULL;
ALTER TABLE idempotency_keys
  DROP CONSTRAINT idempotency_keys_answered,
  DROP COLUMN claimed_at,
  ALTER COLUMN status SET NOT NULL,
  ALTER COLUMN body SET NOT NULL;
