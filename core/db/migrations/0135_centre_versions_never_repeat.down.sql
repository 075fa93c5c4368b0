DROP TRIGGER centres_version_starts ON centres;
DROP FUNCTION centres_version_starts();

CREATE OR REPLACE FUNCTION centres_version_moves() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION centre_change(p_code text) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM centre_change_lock(p_code);
  UPDATE centres SET version = version + 1 WHERE code = p_code AND xmin <> pg_current_xact_id()::xid;
END;
$$;

ALTER TABLE centres ALTER COLUMN version SET DEFAULT 1;
DROP SEQUENCE centre_versions;
