-- Back to 0131's audit_chain_advance: the head read FOR UPDATE, then updated.
CREATE OR REPLACE FUNCTION audit_chain_advance(p_shard integer, p_contents text[])
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
DROP FUNCTION audit_chain_fold(bytea, bigint, text[]);
ALTER TABLE audit_chain_heads DROP COLUMN hash_before;
