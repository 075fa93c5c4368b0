-- Crypto-shredding (issue 9): a transaction's or a booking's citizen data and payload are sealed
-- under a data key of their own (sealed-format version 2), and the key is kept here, sealed under
-- the key-wrapping key derived from the configured personal-data key. Erasure and retention delete
-- the keys of the rows they erase: every copy of those sealed values (WAL, replicas, dumps,
-- backups) is then unreadable, not only the live row, which is also overwritten as before.
-- `record_id` is the transaction's or the booking's id (both uuids): written by the statement that
-- writes the row, read with the row (a look-up by this key), deleted by the ids of the rows erasure
-- and retention lock and overwrite: never by the citizen's keyed hash, which would also take the
-- key of a transaction the same citizen submits while the erasure runs (not locked, not erased,
-- still to be sent). No foreign key: one table serves both kinds of record, and the row must
-- outlive its key. One index (the primary key): the table is written by every submit and booking.
-- Back this table up apart from the rest, with a short retention (README, "Retention and erasure").
CREATE TABLE citizen_keys (
  record_id  uuid  PRIMARY KEY,
  key_sealed bytea NOT NULL
);
