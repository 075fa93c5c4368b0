ALTER TABLE queue_tickets DROP COLUMN phone_sealed;
