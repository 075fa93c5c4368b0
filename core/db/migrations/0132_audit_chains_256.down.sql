-- Back to 16 chains, only while chains 16–255 are as 0132 made them: no event, head at genesis. An
-- event cannot move to another chain (its hash is linked into its own), so once one of them holds
-- an event this refuses: going back then means restoring the database from before 0132.
-- The lock waits for appends in flight and holds off new ones until this commits, so none lands on
-- a chain between the check and its removal. Replicas started with 256 chains must be stopped
-- first: their appends to a removed chain fail (audit_chain_advance: the chain does not exist).
LOCK TABLE audit_chain_heads IN EXCLUSIVE MODE;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM audit_events WHERE shard >= 16) OR EXISTS (SELECT 1 FROM audit_chain_heads WHERE shard >= 16 AND seq > 0) THEN
    RAISE EXCEPTION 'audit chains 16-255 hold events: 0132 cannot be reverted without losing them'
      USING ERRCODE = 'object_in_use', HINT = 'Restore the database from a backup made before 0132 instead.';
  END IF;
END;
$$;

-- The head rows are never removed in normal work (0128's triggers); this is the one deliberate exception.
ALTER TABLE audit_chain_heads DISABLE TRIGGER audit_chain_heads_no_delete;
DELETE FROM audit_chain_heads WHERE shard >= 16;
ALTER TABLE audit_chain_heads ENABLE TRIGGER audit_chain_heads_no_delete;

ALTER TABLE audit_events DROP CONSTRAINT audit_events_shard_known;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_shard_known CHECK (shard >= 0 AND shard < 16) NOT VALID;
