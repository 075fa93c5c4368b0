-- The first response to each Idempotency-Key, per caller, so a repeat gets it back verbatim.
-- The aggregate that the request creates enforces uniqueness on its own (see transactions_idempotency_key);
-- this table only remembers what was answered.
CREATE TABLE idempotency_keys (
  scope         text        NOT NULL,
  key           text        NOT NULL,
  route         text        NOT NULL,
  request_hash  text        NOT NULL,
  status        integer     NOT NULL,
  body          jsonb       NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);

CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
