-- Centres (Huduma-like one-stop offices), what each offers, its counters, and its appointment capacity.
-- Service codes come from the catalogue (a folder of files, not a table), so they are checked in code.
CREATE TABLE centres (
  code                  text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}-[A-Z0-9]{2,12}$'),
  name                  text        NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  county                text        NOT NULL CHECK (length(county) BETWEEN 1 AND 60),
  -- An IANA zone; every Huduma centre is in Africa/Nairobi, but times are never assumed to be UTC+3.
  time_zone             text        NOT NULL DEFAULT 'Africa/Nairobi',
  -- Length of one appointment slot; slots start at opening time.
  slot_minutes          integer     NOT NULL DEFAULT 30 CHECK (slot_minutes BETWEEN 5 AND 240),
  -- How far ahead a citizen may book.
  booking_horizon_days  integer     NOT NULL DEFAULT 30 CHECK (booking_horizon_days BETWEEN 1 AND 365),
  -- A booking not checked in by slot start + grace becomes a no-show and frees its place.
  no_show_grace_minutes integer     NOT NULL DEFAULT 15 CHECK (no_show_grace_minutes BETWEEN 0 AND 240),
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- A weekday without a row is a closed day. ISO weekdays: 1 = Monday … 7 = Sunday. Local wall-clock times.
CREATE TABLE centre_opening_hours (
  centre_code text     NOT NULL REFERENCES centres (code) ON DELETE CASCADE,
  weekday     smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  opens_at    time     NOT NULL,
  closes_at   time     NOT NULL,
  CHECK (opens_at < closes_at),
  PRIMARY KEY (centre_code, weekday)
);

CREATE TABLE centre_holidays (
  centre_code text NOT NULL REFERENCES centres (code) ON DELETE CASCADE,
  holiday     date NOT NULL,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  PRIMARY KEY (centre_code, holiday)
);

CREATE TABLE centre_services (
  centre_code   text    NOT NULL REFERENCES centres (code) ON DELETE CASCADE,
  service_code  text    NOT NULL,
  -- Letter of the walk-in ticket numbers for this service at this centre (A042).
  ticket_letter text    CHECK (ticket_letter ~ '^[A-Z]$'),
  -- Appointments per slot; 0 = walk-in only.
  slot_capacity integer NOT NULL DEFAULT 0 CHECK (slot_capacity BETWEEN 0 AND 10000),
  PRIMARY KEY (centre_code, service_code),
  UNIQUE (centre_code, ticket_letter)
);

CREATE TABLE counters (
  centre_code text NOT NULL REFERENCES centres (code) ON DELETE CASCADE,
  code        text NOT NULL CHECK (code ~ '^[A-Za-z0-9-]{1,16}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
  PRIMARY KEY (centre_code, code)
);

CREATE TABLE counter_services (
  centre_code  text NOT NULL,
  counter_code text NOT NULL,
  service_code text NOT NULL,
  PRIMARY KEY (centre_code, counter_code, service_code),
  FOREIGN KEY (centre_code, counter_code) REFERENCES counters (centre_code, code) ON DELETE CASCADE,
  FOREIGN KEY (centre_code, service_code) REFERENCES centre_services (centre_code, service_code) ON DELETE CASCADE
);
CREATE INDEX counter_services_by_service ON counter_services (centre_code, service_code);
