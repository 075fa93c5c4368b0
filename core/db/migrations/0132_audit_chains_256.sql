-- Issue 13: 256 audit chains instead of 16.
--
-- Each appending statement locks its chain's head row until its transaction commits
-- (audit_chain_advance, 0131). With 16 chains and tens of submits in flight (20 pooled connections
-- per api replica), most appends found their head locked by another submit and waited. Replaying a
-- submit's statements with pgbench at 50 clients cost less PostgreSQL CPU per submit with 256
-- chains than with 16 (docs/PERFORMANCE.md); at 10 clients it made no difference.
--
-- The new chains start at their public genesis hashes, as 0002's did. Nothing stored moves: an
-- entity's earlier events stay on the chain shardOf(id, 16) gave them and its later ones go to
-- shardOf(id, 256) (core/audit/audit-event.ts), so its history is found by entity, not by chain
-- (AuditLog.history, inEntityOrder). A process reads the number of chains at boot (AuditLog.open):
-- replicas started before this migration keep appending to chains 0–15 until they restart. That
-- stays valid: those chains and their heads are untouched, each append still locks and advances the
-- head of the chain it names, and the check below admits them. An entity written by old and new
-- replicas meanwhile has events on two chains, merged by time when read. verify walks every chain
-- in audit_chain_heads, whatever count the process read at boot.
INSERT INTO audit_chain_heads (shard, seq, hash)
SELECT s, 0, sha256(convert_to('kiungo:audit:genesis:' || s, 'UTF8'))
FROM generate_series(16, 255) AS s;

-- NOT VALID, as in 0128: every stored event names one of the first 16 chains; every new one is checked.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_shard_known;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_shard_known CHECK (shard >= 0 AND shard < 256) NOT VALID;
