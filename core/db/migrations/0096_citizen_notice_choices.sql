-- Notices the citizen gets, chosen per centre (issue 14.5): a second reminder an hour before a
-- booking, and an SMS when a ticket is a set number of places from being called. Off by default.
CREATE TABLE centre_notice_choices (
  centre_code          text        PRIMARY KEY REFERENCES centres (code) ON DELETE CASCADE,
  hour_before_reminder boolean     NOT NULL DEFAULT false,
  call_ahead_places    integer     CHECK (call_ahead_places BETWEEN 1 AND 50),
  changed_by           text        NOT NULL,
  changed_at           timestamptz NOT NULL
);
ALTER TABLE bookings ADD COLUMN hour_reminder_sent_at timestamptz;
ALTER TABLE queue_tickets ADD COLUMN call_ahead_sent_at timestamptz;
