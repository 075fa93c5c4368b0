-- Migration 0135 placed centre_versions above the highest version read from its snapshot, without
-- locking centres: a change in flight under 0134's centre_change (version + 1, its change lock held,
-- not committed yet) could commit a version the sequence was then to hand out, and it did hand it out
-- again. To the same centre, that is a change that kept the version it had: every api's copy at that
-- version took bookings against the hours and capacity the change replaced. This repairs a database
-- where that happened and keeps it from happening again.
--
-- 1. Under a lock: SHARE ROW EXCLUSIVE waits for every write to centres in flight to commit and keeps
--    new ones out until this commits (reads and booking statements go on: their locks are weaker), so
--    the max read next is the highest version any row holds. The sequence goes above it and above
--    all it has handed out (it never goes back), by 1,000,000: the versions of centres deleted before
--    0135 were per-centre counters nobody kept, and a gap that wide makes a code made again reach one
--    of them only if the deleted centre had changed more than a million times. An integer leaves room
--    for two thousand such gaps; setval refuses a value out of range rather than wrapping.
-- 2. Every centre's version moves on once, to a number drawn above that point: a centre a repeat left
--    at the version of a change it does not show is moved off it, so its copies are refused and read
--    again (one read per centre and api). Only the version moves, so a booking in flight decided with
--    the version before is still right, and the trigger is off for that one statement: its change
--    lock could be held by a change waiting for the table lock taken here, and the two would deadlock.
-- 3. centre_change draws the number itself, as 0134's moved the version itself: with triggers off
--    (session_replication_role = replica, a restore or replication apply) 0135's SET version = version
--    moved nothing. With triggers on, the trigger draws again and the row keeps the trigger's number:
--    the one centre_change drew is a gap, and gaps mean nothing (versions are compared for equality,
--    for one code). The change lock first and one move per transaction (the xmin test) stay as in 0134.
-- 4. A draw never hands back the row's own version (centre_version_after draws again). Once 1. has
--    run, every version held is below the sequence and every write draws from it, so this cannot
--    happen through these functions. It is kept because the rules can be bypassed (a version written
--    with triggers off, a sequence set back by hand or not carried over by a restore or logical
--    replication), and then the copies surely alive are those at the row's current version: a change
--    keeping it would be accepted by every api, where a draw equal to an older version reaches only
--    copies not read again since. It costs one comparison; the rest of such damage needs the sequence
--    placed again as in 1.
LOCK TABLE centres IN SHARE ROW EXCLUSIVE MODE;

SELECT setval('centre_versions', GREATEST(COALESCE((SELECT max(version) FROM centres), 0), last_value) + 1000000, false)
  FROM centre_versions;

ALTER TABLE centres DISABLE TRIGGER centres_version_moves;
UPDATE centres SET version = nextval('centre_versions');
ALTER TABLE centres ENABLE TRIGGER centres_version_moves;

CREATE FUNCTION centre_version_after(p_version integer) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_next integer;
BEGIN
  LOOP
    v_next := nextval('centre_versions');
    EXIT WHEN v_next IS DISTINCT FROM p_version;
  END LOOP;
  RETURN v_next;
END;
$$;

CREATE OR REPLACE FUNCTION centre_change(p_code text) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM centre_change_lock(p_code);
  UPDATE centres SET version = centre_version_after(version) WHERE code = p_code AND xmin <> pg_current_xact_id()::xid;
END;
$$;

CREATE OR REPLACE FUNCTION centres_version_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM centre_change_lock(OLD.code);
  IF NEW.code <> OLD.code THEN
    PERFORM centre_change_lock(NEW.code);
  END IF;
  IF EXISTS (SELECT 1 FROM centres WHERE code = OLD.code AND xmin = pg_current_xact_id()::xid) THEN
    NEW.version := OLD.version;
  ELSE
    NEW.version := centre_version_after(OLD.version);
  END IF;
  RETURN NEW;
END;
$$;
