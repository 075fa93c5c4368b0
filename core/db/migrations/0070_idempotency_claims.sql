-- An Idempotency-Key is claimed before its request runs (issue 11.4): a row without an answer
-- (status NULL) is a request in progress, and a second request with the same key waits for its
-- answer instead of running too. A claim whose process died is taken over once it is stale.
ALTER TABLE idempotency_keys
  ALTER COLUMN status DROP NOT NULL,
  ALTER COLUMN body DROP NOT NULL,
  ADD COLUMN claimed_at timestamptz NOT NULL DEFAULT now(),
  ADD CONSTRAINT idempotency_keys_answered CHECK ((status IS NULL) = (body IS NULL));
