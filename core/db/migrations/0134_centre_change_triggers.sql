-- Migration 0133 moves a centre's version on only when the writer calls centre_change: a write that
-- did not (ops SQL, a data migration, another repository) would leave every api's copy of the centre
-- as it was, and bookings would be taken against hours, holidays, services or capacity that changed.
-- Here the database does it for every write to what a cached centre is read from (readCentre in
-- PgCentreRepository): centres, centre_opening_hours, centre_holidays, centre_services, counters and
-- counter_services.
--
-- One step per transaction: once the version has moved in a transaction (the centre's row was
-- written by it), the change lock is held until it commits, so no booking can use a copy read in
-- between, and the next writes of the same transaction take the lock again (it is already theirs)
-- without moving the version again.
--
-- A trigger takes the lock after the statement's row locks. PgCentreRepository still calls
-- centre_change first in its transactions, so that it holds the lock before it writes a row: a
-- booking in flight holds the lock shared and may be waiting for one of those rows (its slot's row
-- locks its service's row FOR KEY SHARE, which a service's delete or new letter waits for), and the
-- two would deadlock. A raw write that meets one is refused
-- by PostgreSQL's deadlock check and can be run again.
CREATE FUNCTION centre_change_lock(p_code text) RETURNS void LANGUAGE sql VOLATILE AS $$
  SELECT pg_advisory_xact_lock(133, hashtext(p_code));
$$;

CREATE OR REPLACE FUNCTION centre_change(p_code text) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM centre_change_lock(p_code);
  UPDATE centres SET version = version + 1 WHERE code = p_code AND xmin <> pg_current_xact_id()::xid;
END;
$$;

-- centres itself: a statement that did not move the version (UPDATE centres SET name = …) moves it
-- here. centre_change's own UPDATE moves it, so this does not run it again.
CREATE FUNCTION centres_version_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM centre_change_lock(OLD.code);
  IF NEW.code <> OLD.code THEN
    PERFORM centre_change_lock(NEW.code);
  END IF;
  IF NEW.version = OLD.version
     AND NOT EXISTS (SELECT 1 FROM centres WHERE code = OLD.code AND xmin = pg_current_xact_id()::xid) THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER centres_version_moves BEFORE UPDATE ON centres
  FOR EACH ROW EXECUTE FUNCTION centres_version_moves();

-- The parts: once per statement and centre written (transition tables; a trigger with them takes
-- one event, hence three per table).
CREATE FUNCTION centre_part_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_code text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    FOR v_code IN SELECT DISTINCT centre_code FROM new_rows ORDER BY 1 LOOP PERFORM centre_change(v_code); END LOOP;
  ELSIF TG_OP = 'DELETE' THEN
    FOR v_code IN SELECT DISTINCT centre_code FROM old_rows ORDER BY 1 LOOP PERFORM centre_change(v_code); END LOOP;
  ELSE
    FOR v_code IN SELECT centre_code FROM old_rows UNION SELECT centre_code FROM new_rows ORDER BY 1 LOOP
      PERFORM centre_change(v_code);
    END LOOP;
  END IF;
  RETURN NULL;
END;
$$;

DO $$
DECLARE
  part text;
BEGIN
  FOREACH part IN ARRAY ARRAY['centre_opening_hours', 'centre_holidays', 'centre_services', 'counters', 'counter_services'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                      FOR EACH STATEMENT EXECUTE FUNCTION centre_part_changed()', part || '_inserted', part);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                      FOR EACH STATEMENT EXECUTE FUNCTION centre_part_changed()', part || '_updated', part);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                      FOR EACH STATEMENT EXECUTE FUNCTION centre_part_changed()', part || '_deleted', part);
  END LOOP;
END;
$$;
