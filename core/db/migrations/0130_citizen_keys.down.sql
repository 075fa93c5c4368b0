-- Rows written since 0130 are sealed under their data keys: dropping the keys would erase them
-- all, so this refuses while any key is stored (deploy/RUNBOOK.md: the 0130 release is one-way).
-- To go below 0130 on purpose (a test database, a wiped demo), empty citizen_keys first.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM citizen_keys) THEN
    RAISE EXCEPTION 'citizen_keys holds data keys: dropping it would make every transaction and booking written since migration 0130 unreadable; empty it first if that is what you want';
  END IF;
END $$;
DROP TABLE citizen_keys;
