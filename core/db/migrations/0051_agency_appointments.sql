-- Bookings of services whose agency keeps its own appointment system (adapter capability
-- `appointments`): what the agency holds for each booking. `pending` = booked here, not yet at
-- the agency (it was down and the service's fallback keeps the booking); the worker retries it.
CREATE TABLE agency_appointments (
  booking_id        uuid        PRIMARY KEY REFERENCES bookings (id),
  booking_reference text        NOT NULL,
  agency_code       text        NOT NULL,
  state             text        NOT NULL CHECK (state IN ('reserved', 'pending', 'refused', 'cancelled')),
  agency_ref        text,
  attempts          integer     NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz,
  -- Operators' reason for the last failure (transient code, agency refusal code): no personal data.
  last_error        text,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  CHECK (state <> 'reserved' OR agency_ref IS NOT NULL),
  CHECK (state <> 'pending' OR next_attempt_at IS NOT NULL)
);
CREATE INDEX agency_appointments_due ON agency_appointments (next_attempt_at) WHERE state = 'pending';
