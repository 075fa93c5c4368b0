DROP FUNCTION centre_version_holds(text, integer);
DROP FUNCTION centre_change(text);
ALTER TABLE centres DROP COLUMN version;
