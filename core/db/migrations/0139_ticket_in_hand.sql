-- A call-ahead SMS never goes to a ticket a counter is calling at that moment.
--
-- Two counters call at once: B's call commits first and its call-ahead reads the waiting tickets
-- while A's call of the next one is still in flight. That ticket still reads 'waiting', so it was
-- "next to be called", its claim (an insert of its own row since 0129, so that a claim never makes
-- call-next's SKIP LOCKED pass over a ticket) succeeded, and the citizen being called was texted.
--
-- A statement that takes a ticket in hand (call-next's pick, a change of the locked ticket) now
-- also takes a shared transaction advisory lock on the ticket, with a try that never waits and
-- whose answer it ignores. A claim tries the same lock exclusively, again without waiting: a
-- ticket in someone's hand is not claimed now (a later call's call-ahead tries again, if the ticket
-- still waits). After the lock the claim reads the ticket with a fresh snapshot (a VOLATILE
-- function's statement, READ COMMITTED), so a call that committed just before is seen as called.
-- Neither side ever waits on the other and no row is written for the lock, so 0129's rule holds:
-- a claim held open does not hide a ticket from a counter (the failed try is ignored).
--
-- The one window left: between a pick's row lock and its advisory lock, inside one statement, a
-- claim could still win; the other counter's call must have committed and its call-ahead read the
-- queue in those microseconds.
--
-- The lock is on (class 139, hashtext(ticket id)): a collision only defers a claim to the next call.
CREATE FUNCTION ticket_in_hand(p_id uuid) RETURNS boolean LANGUAGE sql VOLATILE AS $$
  SELECT pg_try_advisory_xact_lock_shared(139, hashtext(p_id::text))
$$;

CREATE FUNCTION ticket_call_ahead_claim(p_id uuid, p_at timestamptz) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(139, hashtext(p_id::text)) THEN
    RETURN false;
  END IF;
  INSERT INTO ticket_call_aheads (ticket_id, claimed_at)
    SELECT id, p_at FROM queue_tickets WHERE id = p_id AND state = 'waiting'
    ON CONFLICT (ticket_id) DO NOTHING;
  RETURN FOUND;
END
$$;
