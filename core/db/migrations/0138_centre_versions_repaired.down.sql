-- Back to 0135's functions. The sequence and the versions stay where 0138 put them: moving either
-- back would give a centre a version again.
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

CREATE OR REPLACE FUNCTION centre_change(p_code text) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM centre_change_lock(p_code);
  UPDATE centres SET version = version WHERE code = p_code AND xmin <> pg_current_xact_id()::xid;
END;
$$;

DROP FUNCTION centre_version_after(integer);
