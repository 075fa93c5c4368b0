-- Back to 0136's audit_chain_fold (IMMUTABLE) and audit_chain_advance (the hash written in its loop, the head not checked).
CREATE OR REPLACE FUNCTION audit_chain_fold(p_hash bytea, p_seq bigint, p_contents text[]) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
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
  RETURNING h.seq - cardinality(p_contents), h.hash_before INTO head_seq, head_hash;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit chain % does not exist', p_shard USING ERRCODE = 'foreign_key_violation';
  END IF;
  FOR i IN 1 .. cardinality(p_contents) LOOP
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
END;
$$;
