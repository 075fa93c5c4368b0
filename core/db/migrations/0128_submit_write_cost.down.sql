DROP INDEX transactions_store_and_forward;
CREATE INDEX transactions_agency_state ON transactions (agency_code, state);
ALTER TABLE idempotency_keys RESET (fillfactor);
ALTER TABLE audit_chain_heads RESET (fillfactor);
DROP TRIGGER audit_chain_heads_no_truncate ON audit_chain_heads;
DROP TRIGGER audit_chain_heads_no_delete ON audit_chain_heads;
DROP FUNCTION audit_chain_heads_kept();
ALTER TABLE audit_events DROP CONSTRAINT audit_events_shard_known;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_shard_fkey FOREIGN KEY (shard) REFERENCES audit_chain_heads (shard);
