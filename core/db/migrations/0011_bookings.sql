-- Service by Appointment. One row per (centre, service, slot) that has ever been booked holds the
-- slot's capacity and how much of it is taken; a booking takes a place with
--   UPDATE appointment_slots SET booked = booked + 1 WHERE … AND booked < capacity
-- in the same database transaction as the booking insert, so capacity holds under any concurrency.
CREATE TABLE appointment_slots (
  centre_code  text        NOT NULL,
  service_code text        NOT NULL,
  slot_start   timestamptz NOT NULL,
  capacity     integer     NOT NULL CHECK (capacity >= 0),
  booked       integer     NOT NULL DEFAULT 0,
  CHECK (booked >= 0 AND booked <= capacity),
  PRIMARY KEY (centre_code, service_code, slot_start),
  -- No cascade: a service with slots cannot silently vanish from a centre.
  FOREIGN KEY (centre_code, service_code) REFERENCES centre_services (centre_code, service_code)
);

CREATE TABLE bookings (
  id              uuid PRIMARY KEY,
  -- Short and human-readable (read out at a counter, typed into USSD): e.g. K7QM-4X2P.
  reference       text        NOT NULL UNIQUE,
  centre_code     text        NOT NULL,
  service_code    text        NOT NULL,
  slot_start      timestamptz NOT NULL,
  slot_end        timestamptz NOT NULL,
  -- The slot's calendar date at the centre: "one active booking per citizen per service per day".
  local_date      date        NOT NULL,
  -- Personal data: sealed (national ID, phone), keyed hash of the national ID for look-up.
  citizen_id_hash text        NOT NULL,
  citizen_sealed  bytea       NOT NULL,
  channel         text        NOT NULL,
  booked_by       text        NOT NULL,
  status          text        NOT NULL CHECK (status IN ('booked', 'checked_in', 'cancelled', 'no_show')),
  reschedules     integer     NOT NULL DEFAULT 0,
  reminder_sent_at timestamptz,
  checked_in_at   timestamptz,
  cancelled_at    timestamptz,
  no_show_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (slot_end > slot_start),
  FOREIGN KEY (centre_code, service_code, slot_start) REFERENCES appointment_slots (centre_code, service_code, slot_start)
);

CREATE UNIQUE INDEX bookings_one_active_per_citizen_service_day
  ON bookings (citizen_id_hash, service_code, local_date) WHERE status IN ('booked', 'checked_in');
CREATE INDEX bookings_citizen ON bookings (citizen_id_hash, slot_start);
CREATE INDEX bookings_pending_by_start ON bookings (slot_start) WHERE status = 'booked';
CREATE INDEX bookings_centre_day ON bookings (centre_code, local_date);
