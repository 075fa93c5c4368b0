-- Issue 14.5: a walk-in may leave a phone number for the call-ahead SMS (sealed like every phone; a
-- checked-in booking's phone stays on the booking). Dropped once the SMS is claimed.
ALTER TABLE queue_tickets ADD COLUMN phone_sealed bytea;
