-- The tamper-evident audit log. Every event carries sha256(prev_hash || seq || content) of its chain.
-- Chains are sharded by entity so concurrent writers do not serialize on one head row; the number
-- of shards is fixed here (the head rows) and read at boot.
CREATE TABLE audit_chain_heads (
  shard integer PRIMARY KEY,
  seq   bigint  NOT NULL,
  hash  bytea   NOT NULL
);

INSERT INTO audit_chain_heads (shard, seq, hash)
SELECT s, 0, sha256(convert_to('kiungo:audit:genesis:' || s, 'UTF8'))
FROM generate_series(0, 15) AS s;

CREATE TABLE audit_events (
  shard        integer     NOT NULL REFERENCES audit_chain_heads (shard),
  seq          bigint      NOT NULL,
  entity_type  text        NOT NULL,
  entity_id    text        NOT NULL,
  type         text        NOT NULL,
  actor        text        NOT NULL,
  data         jsonb       NOT NULL,
  occurred_at  timestamptz NOT NULL,
  prev_hash    bytea       NOT NULL,
  hash         bytea       NOT NULL,
  PRIMARY KEY (shard, seq)
);

CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, occurred_at);
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);

-- Append-only: nobody updates or deletes an event through the application's role. (A superuser can
-- still disable the trigger; that is what the hash chain is for.)
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
