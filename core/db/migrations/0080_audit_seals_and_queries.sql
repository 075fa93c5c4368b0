-- Issue 9: signed checkpoints of the audit chains, and indexes for the auditors' queries.

-- Seals: every chain head at one moment, signed with an Ed25519 key kept outside the database,
-- each naming the digest of the seal before it. The same seals are written to a folder outside
-- the database; verify compares the two. Append-only like the events.
CREATE TABLE audit_seals (
  seal_no    bigint      PRIMARY KEY CHECK (seal_no >= 1),
  sealed_at  timestamptz NOT NULL,
  -- The signed statement exactly as signed (canonical JSON text), its signer and signature.
  statement  text        NOT NULL,
  key_id     text        NOT NULL,
  signature  text        NOT NULL,
  digest     text        NOT NULL UNIQUE
);

CREATE TRIGGER audit_seals_append_only
  BEFORE UPDATE OR DELETE ON audit_seals
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- Auditors' transaction queries: newest first, keyset (created_at, id), one index per filter so
-- that the first page of each is an index range scan whatever the table's size.
CREATE INDEX transactions_audit_time ON transactions (created_at, id);
CREATE INDEX transactions_audit_agency ON transactions (agency_code, created_at, id);
CREATE INDEX transactions_audit_service ON transactions (service_code, created_at, id);
CREATE INDEX transactions_audit_centre ON transactions (centre_code, created_at, id);
CREATE INDEX transactions_audit_officer ON transactions (officer_id, created_at, id) WHERE officer_id IS NOT NULL;
CREATE INDEX transactions_audit_channel ON transactions (channel, created_at, id);
-- Replaces transactions_citizen: the same look-up, in time order.
CREATE INDEX transactions_audit_citizen ON transactions (citizen_id_hash, created_at, id);
DROP INDEX transactions_citizen;
DROP INDEX transactions_created_at;

-- Auditors' event queries: newest first, keyset (occurred_at, shard, seq).
CREATE INDEX audit_events_time ON audit_events (occurred_at, shard, seq);
DROP INDEX audit_events_occurred_at;
CREATE INDEX audit_events_type_time ON audit_events (type, occurred_at, shard, seq);
CREATE INDEX audit_events_actor_time ON audit_events (actor, occurred_at, shard, seq);
-- Administrative actions (everything that is not a transaction's lifecycle) are few: a small index.
CREATE INDEX audit_events_administrative ON audit_events (occurred_at, shard, seq) WHERE entity_type <> 'transaction';
