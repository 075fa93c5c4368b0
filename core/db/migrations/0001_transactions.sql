-- Transactions: one citizen request for one service, from any channel.
-- PostgreSQL is the source of truth: the row exists (state 'received') before any agency call,
-- and `next_attempt_at` says when it is due, so a sweeper can always find work a crash left behind.
CREATE TABLE transactions (
  id               uuid PRIMARY KEY,
  service_code     text        NOT NULL,
  agency_code      text        NOT NULL,
  channel          text        NOT NULL,
  centre_code      text,
  officer_id       text,
  submitted_by     text        NOT NULL,
  -- Personal data: sealed (AES-256-GCM) at rest, with a keyed hash for look-up by national ID.
  citizen_id_hash  text        NOT NULL,
  citizen_sealed   bytea       NOT NULL,
  payload_sealed   bytea       NOT NULL,
  state            text        NOT NULL CHECK (state IN (
                     'received', 'dispatched', 'retrying', 'completed', 'rejected',
                     'manual', 'completed_manually', 'cancelled')),
  attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts     integer     NOT NULL CHECK (max_attempts >= 1),
  -- Due time of the next attempt while received/retrying; doubles as the claim lease of an attempt in flight.
  next_attempt_at  timestamptz,
  agency_ref       text,
  result           jsonb,
  last_error       jsonb,
  idempotency_scope text,
  idempotency_key  text,
  request_hash     text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((idempotency_key IS NULL) = (idempotency_scope IS NULL))
);

CREATE UNIQUE INDEX transactions_idempotency_key
  ON transactions (idempotency_scope, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX transactions_due ON transactions (next_attempt_at) WHERE state IN ('received', 'retrying');
CREATE INDEX transactions_agency_state ON transactions (agency_code, state);
CREATE INDEX transactions_created_at ON transactions (created_at);
CREATE INDEX transactions_citizen ON transactions (citizen_id_hash);
