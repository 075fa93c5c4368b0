ALTER TABLE queue_tickets DROP COLUMN call_ahead_sent_at;
ALTER TABLE bookings DROP COLUMN hour_reminder_sent_at;
DROP TABLE centre_notice_choices;
