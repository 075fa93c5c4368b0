-- Issue 13: a chain's head is moved by one UPDATE, not locked by a SELECT … FOR UPDATE and then updated.
--
-- audit_chain_advance (0131) read the head FOR UPDATE, hashed the contents and updated the head: two
-- statements in the function, and the row lock wrote a WAL record of its own (Heap LOCK) before the
-- update wrote the head again. A submit appends twice, so that was two statements' executor runs and
-- two WAL records per submit spent only on the lock.
--
-- Now one UPDATE moves the head: seq by the number of contents, hash to the last content's hash
-- (audit_chain_fold: the same sha256(prev_hash || int8send(seq) || convert_to(content, 'UTF8')),
-- chainHash in core/audit/audit-event.ts), and hash_before keeps the hash it had, which RETURNING
-- gives back (PostgreSQL 15's RETURNING sees only the new row). The UPDATE locks the row as the
-- SELECT did, to the end of the transaction; one that waited for another append re-reads the head
-- as that append left it (READ COMMITTED's re-check of the updated row) and computes from there, so
-- no two appends ever get the same seq or build on the same hash. It is still a statement of its
-- own, so a wait re-checks only this one-row update (0131's reason). The events' seq, prev_hash and
-- hash are then computed from the returned hash, as before; the function's result is unchanged.
--
-- hash_before is written and read by that one UPDATE only; nothing else reads it.
ALTER TABLE audit_chain_heads ADD COLUMN hash_before bytea;

CREATE FUNCTION audit_chain_fold(p_hash bytea, p_seq bigint, p_contents text[]) RETURNS bytea
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
