DROP INDEX citizen_notices_phone;
DROP INDEX queue_tickets_phone;
ALTER TABLE citizen_notices DROP COLUMN phone_hash;
ALTER TABLE queue_tickets DROP COLUMN phone_hash;
