-- Migration 0133 counted a centre's versions from 1 by +1. A centre deleted and made again with the
-- same code (ops SQL, a data migration: there is no API for it) started again at 1, so an api that
-- kept a copy of the old centre at version N had it accepted by centre_version_holds once the new
-- centre reached N: bookings against hours, holidays and capacity of a centre that no longer exists.
--
-- Versions are now drawn from one sequence for all centres, so no version is given twice, to any
-- code. The database owns the number: a row inserted or updated with a version of its own (a row
-- restored from a copy, a hand-written SET version = …) takes the next one drawn instead; the
-- column's default draws too, for a write with triggers off (session_replication_role = replica).
-- Numbers drawn and not kept (that default under the insert trigger, an upsert that updates) leave
-- gaps, which mean nothing: a version is only ever compared for equality.
--
-- Every other rule of 0134 stays: the change lock first, and one move per transaction (a row this
-- transaction wrote already keeps its version). The sequence starts above every version given so
-- far; those of centres deleted before this migration are not known, and are below it unless a
-- centre had been changed more often than any centre now present.
CREATE SEQUENCE centre_versions AS integer;
SELECT setval('centre_versions', COALESCE(max(version), 0) + 1, false) FROM centres;
ALTER TABLE centres ALTER COLUMN version SET DEFAULT nextval('centre_versions');

-- The trigger below draws the version: this only takes the lock first and writes the row, once
-- per transaction.
CREATE OR REPLACE FUNCTION centre_change(p_code text) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM centre_change_lock(p_code);
  UPDATE centres SET version = version WHERE code = p_code AND xmin <> pg_current_xact_id()::xid;
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
    NEW.version := nextval('centre_versions');
  END IF;
  RETURN NEW;
END;
$$;

CREATE FUNCTION centres_version_starts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := nextval('centre_versions');
  RETURN NEW;
END;
$$;
CREATE TRIGGER centres_version_starts BEFORE INSERT ON centres
  FOR EACH ROW EXECUTE FUNCTION centres_version_starts();
