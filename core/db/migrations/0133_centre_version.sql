-- Issue 13: a booking takes its centre (hours, holidays, services and their capacity) from the api's
-- memory instead of reading it again every time, and checks in its own statement that the centre is
-- still as it was read.
--
-- centres.version counts the changes of a centre. Every change of a centre, its hours, holidays,
-- services or counters starts with centre_change(code) in its transaction (PgCentreRepository): it
-- takes the centre's change lock and moves the version on. A booking statement calls
-- centre_version_holds(code, version) before it takes a place: it takes the same lock shared, so it
-- waits for a change in progress and a change waits for it, then reads the version with a fresh
-- snapshot (a VOLATILE function's statements each get one, as in 0131): a version that moved refuses
-- the booking, which writes nothing, and the api reads the centre again. So no booking is taken
-- against hours or capacity that changed, on whichever replica its copy was read.
--
-- The lock is a transaction advisory lock on (class 0133, hashtext(code)): no row is written for it
-- (a FOR SHARE lock on the centre's row would add a multixact and a WAL record to every booking), and
-- two codes of one hash only wait for each other.
ALTER TABLE centres ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE FUNCTION centre_change(p_code text) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(133, hashtext(p_code));
  UPDATE centres SET version = version + 1 WHERE code = p_code;
END;
$$;

CREATE FUNCTION centre_version_holds(p_code text, p_version integer) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(133, hashtext(p_code));
  RETURN EXISTS (SELECT 1 FROM centres WHERE code = p_code AND version = p_version);
END;
$$;
