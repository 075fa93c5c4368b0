-- Issue 13: the audit chain's head is locked and advanced in a statement of its own.
--
-- Until now every appending statement locked its chain's head row itself (a FOR UPDATE CTE). When
-- two statements wanted the same head (16 chains, tens of submits in flight), the second waited and
-- then, the row having changed since its snapshot, PostgreSQL re-checked it by EvalPlanQual, which
-- starts every sub-plan of the statement again: the whole submit statement, CTEs and all. On a
-- pgbench replay of the submit's statements that re-check was about a fifth of PostgreSQL's CPU.
--
-- audit_chain_advance(shard, contents) takes the lock in its own small statement (a VOLATILE
-- function's statements each get a fresh snapshot), so a wait re-checks only that one-row look-up.
-- It returns, for each content in order, the event's seq, prev_hash and hash, computed as before:
-- sha256(prev_hash || int8send(seq) || convert_to(content, 'UTF8')) (chainHash in
-- core/audit/audit-event.ts), and moves the head to the last. The caller inserts the events in the
-- same statement (core/audit/audit-log.ts): the head and the events still commit together or not
-- at all, and the lock is held to the end of the transaction as before.
CREATE FUNCTION audit_chain_advance(p_shard integer, p_contents text[])
RETURNS TABLE (ord integer, shard integer, seq bigint, prev_hash bytea, hash bytea, content text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  head_seq bigint;
  head_hash bytea;
BEGIN
  SELECT h.seq, h.hash INTO head_seq, head_hash FROM audit_chain_heads h WHERE h.shard = p_shard FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit chain % does not exist', p_shard USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF p_contents IS NULL OR cardinality(p_contents) = 0 THEN
    RAISE EXCEPTION 'audit_chain_advance needs at least one event' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR i IN 1 .. cardinality(p_contents) LOOP
    IF p_contents[i] IS NULL THEN
      RAISE EXCEPTION 'audit event % of the statement has no content', i USING ERRCODE = 'not_null_violation';
    END IF;
    ord := i;
    shard := p_shard;
    prev_hash := head_hash;
    head_seq := head_seq + 1;
    seq := head_seq;
    head_hash := sha256(head_hash || int8send(head_seq) || convert_to(p_contents[i], 'UTF8'));
    hash := head_hash;
    content := p_contents[i];
    RETURN NEXT;
  END LOOP;
  UPDATE audit_chain_heads h SET seq = head_seq, hash = head_hash WHERE h.shard = p_shard;
END;
$$;
