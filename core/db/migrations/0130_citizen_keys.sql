-- Crypto-shredding (issue 9): a transaction's or a booking's citizen data and payload are sealed
-- under a data key of their own (sealed-format version 2), and the key is kept here, sealed under
-- the key-wrapping key derived from the configured personal-data key. Erasure and retention delete
-- the keys of the rows they erase: every copy of those sealed values (WAL, replicas, dumps,
-- backups) is then unreadable, not only the live row, which is also overwritten as before.
-- `record_id` is the transaction's or the booking's id (both uuids): written by the statement that
-- writes the row, read with the row (a look-up by this key), deleted by erasure (by the citizen's
-- keyed hash, or the records' ids) and by retention (the ids). No foreign key: one table serves
-- both kinds of record, and the row must outlive its key.
-- Back this table up apart from the rest, with a short retention (README, "Retention and erasure").
CREATE TABLE citizen_keys (
  record_id       uuid  PRIMARY KEY,
  citizen_id_hash text  NOT NULL,
  key_sealed      bytea NOT NULL
);
CREATE INDEX citizen_keys_citizen ON citizen_keys (citizen_id_hash);
