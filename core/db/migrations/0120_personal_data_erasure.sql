-- Retention and erasure of personal data (issue 9.4). A transaction's or booking's citizen data
-- and request payload are overwritten in place with a sealed tombstone, and the keyed hash that
-- found them by ID number is replaced by a value nobody can compute from an ID number. The row
-- itself (state, service, centre, agency reference, times) stays, so the audit chain and the
-- business-row cross-check still verify: audit events never held personal data.
ALTER TABLE transactions ADD COLUMN personal_data_erased_at timestamptz;
ALTER TABLE bookings ADD COLUMN personal_data_erased_at timestamptz;

-- The retention sweep looks for terminal rows not yet erased, oldest first, per service.
CREATE INDEX transactions_retention ON transactions (service_code, updated_at)
  WHERE personal_data_erased_at IS NULL AND state IN ('completed', 'rejected', 'completed_manually', 'cancelled');
CREATE INDEX notifications_retention ON notifications (created_at) WHERE to_hash NOT LIKE 'erased:%';
CREATE INDEX bookings_retention ON bookings (service_code, slot_end)
  WHERE personal_data_erased_at IS NULL;
