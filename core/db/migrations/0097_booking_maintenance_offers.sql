-- Issue 14.2: each citizen booked inside an agency's maintenance window is offered the nearest free
-- slot by SMS once per booking and window, whoever schedules it and however often.
CREATE TABLE booking_maintenance_offers (
  booking_id   uuid        NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
  window_start timestamptz NOT NULL,
  window_end   timestamptz NOT NULL,
  sent_at      timestamptz NOT NULL,
  PRIMARY KEY (booking_id, window_start, window_end)
);
