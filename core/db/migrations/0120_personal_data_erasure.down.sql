DROP INDEX IF EXISTS notifications_retention;
DROP INDEX IF EXISTS bookings_retention;
DROP INDEX IF EXISTS transactions_retention;
ALTER TABLE bookings DROP COLUMN personal_data_erased_at;
ALTER TABLE transactions DROP COLUMN personal_data_erased_at;
