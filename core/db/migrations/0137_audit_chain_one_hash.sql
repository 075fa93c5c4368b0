-- Issue 13, a review of 0136: the chain's hash written once, and the head checked against the events.
--
-- 0136 wrote the hash sha256(prev_hash || int8send(seq) || convert_to(content, 'UTF8')) twice in
-- SQL: in audit_chain_fold, which moves the head, and again in audit_chain_advance's loop, which
-- gives each event its hash. Were the two ever to differ, the head would no longer match its last
-- event, and only a later verify would say so (head_mismatch). Now the loop hashes each event with
-- audit_chain_fold too (one content at a time), and the function refuses to return when the last
-- event's hash is not the head's, so such a statement fails and appends nothing. (chainHash in
-- core/audit/audit-event.ts is the same formula in TypeScript, for verification.)
--
-- audit_chain_fold is STABLE, not IMMUTABLE: convert_to is STABLE (it looks up an encoding).
--
-- (0136's comment says RETURNING sees only the new row in PostgreSQL 15; that holds for every
-- release before 18, which added RETURNING OLD. The deployment runs 16.)
CREATE OR REPLACE FUNCTION audit_chain_fold(p_hash bytea, p_seq bigint, p_contents text[]) RETURNS bytea
LANGUAGE plpgsql STABLE AS $$
DECLARE
  folded bytea := p_hash;
BEGIN
  FOR i IN 1 .. cardinality(p_contents) LOOP
    folded := sha256(folded || int8send(p_seq + i) || convert_to(p_contents[i], 'UTF8'));
  END LOOP;
  RETURN folded;
END;
$$;

CREATE OR REPLACE FUNCTION audit_chain_advance(p_shard integer, p_contents text[])
RETURNS TABLE (ord integer, shard integer, seq bigint, prev_hash bytea, hash bytea, content text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  head_seq bigint;
  head_hash bytea;
  moved_to bytea;
  missing integer;
BEGIN
  IF p_contents IS NULL OR cardinality(p_contents) = 0 THEN
    RAISE EXCEPTION 'audit_chain_advance needs at least one event' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  missing := array_position(p_contents, NULL);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'audit event % of the statement has no content', missing USING ERRCODE = 'not_null_violation';
  END IF;
  UPDATE audit_chain_heads h
     SET hash_before = h.hash, seq = h.seq + cardinality(p_contents), hash = audit_chain_fold(h.hash, h.seq, p_contents)
   WHERE h.shard = p_shard
  RETURNING h.seq - cardinality(p_contents), h.hash_before, h.hash INTO head_seq, head_hash, moved_to;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit chain % does not exist', p_shard USING ERRCODE = 'foreign_key_violation';
  END IF;
  FOR i IN 1 .. cardinality(p_contents) LOOP
    ord := i;
    shard := p_shard;
    prev_hash := head_hash;
    head_hash := audit_chain_fold(head_hash, head_seq, ARRAY[p_contents[i]]);
    head_seq := head_seq + 1;
    seq := head_seq;
    hash := head_hash;
    content := p_contents[i];
    RETURN NEXT;
  END LOOP;
  IF head_hash IS DISTINCT FROM moved_to THEN
    RAISE EXCEPTION 'audit chain %: the head moved to a hash its last event does not have', p_shard USING ERRCODE = 'data_corrupted';
  END IF;
END;
$$;
