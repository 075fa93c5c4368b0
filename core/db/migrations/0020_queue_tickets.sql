-- Walk-in queues: tickets, officer sessions at counters, the queue's event log, and feedback.
-- KPIs are derived from queue_events only (events first, figures derived): the ticket and session
-- rows are the current state, the events are the history every figure is computed from.

-- Next ticket number per centre, local day and service letter (A001, A002, … each day).
CREATE TABLE queue_ticket_numbers (
  centre_code text    NOT NULL REFERENCES centres (code) ON DELETE CASCADE,
  local_day   date    NOT NULL,
  letter      text    NOT NULL CHECK (letter ~ '^[A-Z]$'),
  last_number integer NOT NULL CHECK (last_number >= 1),
  PRIMARY KEY (centre_code, local_day, letter)
);

CREATE TABLE queue_tickets (
  id                uuid        PRIMARY KEY,
  centre_code       text        NOT NULL REFERENCES centres (code),
  -- The centre's local date of issue: numbering, KPIs and "served before closing" are per this day.
  local_day         date        NOT NULL,
  -- The service the ticket waits for now (a transfer changes it; the number stays the citizen's).
  service_code      text        NOT NULL,
  letter            text        NOT NULL CHECK (letter ~ '^[A-Z]$'),
  number            integer     NOT NULL CHECK (number >= 1),
  priority_class    text        NOT NULL CHECK (priority_class IN ('appointment', 'elderly', 'disability', 'expectant', 'none')),
  booking_ref       text        UNIQUE,
  slot_start        timestamptz,
  -- Kept through transfers: the place in the queue is earned by arriving.
  arrived_at        timestamptz NOT NULL,
  state             text        NOT NULL CHECK (state IN ('waiting', 'called', 'completed', 'no_show')),
  counter_code      text,
  session_id        uuid,
  officer_id        text,
  first_called_at   timestamptz,
  called_at         timestamptz,
  recalls           integer     NOT NULL DEFAULT 0 CHECK (recalls >= 0),
  ended_at          timestamptz,
  transaction_ids   uuid[]      NOT NULL DEFAULT '{}',
  issued_by         text        NOT NULL,
  idempotency_scope text,
  idempotency_key   text,
  UNIQUE (centre_code, local_day, letter, number),
  CHECK ((priority_class = 'appointment') = (booking_ref IS NOT NULL)),
  CHECK ((idempotency_key IS NULL) = (idempotency_scope IS NULL))
);
CREATE UNIQUE INDEX queue_tickets_idempotency_key
  ON queue_tickets (idempotency_scope, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- call-next scans only a centre's waiting tickets.
CREATE INDEX queue_tickets_waiting ON queue_tickets (centre_code, service_code, arrived_at) WHERE state = 'waiting';

-- One officer at one counter, from open to close (login time per officer).
CREATE TABLE counter_sessions (
  id           uuid        PRIMARY KEY,
  centre_code  text        NOT NULL REFERENCES centres (code),
  counter_code text        NOT NULL,
  officer_id   text        NOT NULL,
  opened_at    timestamptz NOT NULL,
  closed_at    timestamptz,
  CHECK (closed_at IS NULL OR closed_at >= opened_at),
  -- No cascade: a counter with a history of sessions cannot be deleted by a centre update (409 there).
  FOREIGN KEY (centre_code, counter_code) REFERENCES counters (centre_code, code)
);
CREATE UNIQUE INDEX counter_sessions_one_open_per_counter ON counter_sessions (centre_code, counter_code) WHERE closed_at IS NULL;
CREATE UNIQUE INDEX counter_sessions_one_open_per_officer ON counter_sessions (officer_id) WHERE closed_at IS NULL;

-- Append-only history of the queue. `data` never holds personal data.
CREATE TABLE queue_events (
  id           bigserial   PRIMARY KEY,
  centre_code  text        NOT NULL,
  local_day    date        NOT NULL,
  type         text        NOT NULL CHECK (type IN ('issued', 'called', 'recalled', 'transferred', 'no_show', 'completed',
                                                    'feedback', 'session_opened', 'session_closed')),
  ticket_id    uuid,
  session_id   uuid,
  counter_code text,
  officer_id   text,
  service_code text,
  occurred_at  timestamptz NOT NULL,
  actor        text        NOT NULL,
  data         jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX queue_events_by_day ON queue_events (local_day, centre_code);
CREATE INDEX queue_events_by_ticket ON queue_events (ticket_id) WHERE ticket_id IS NOT NULL;

CREATE TABLE ticket_feedback (
  ticket_id    uuid        PRIMARY KEY REFERENCES queue_tickets (id),
  rating       smallint    NOT NULL CHECK (rating BETWEEN 1 AND 5),
  -- Free text may hold a name or a phone number: sealed like other personal data (AES-256-GCM).
  comment_sealed bytea,
  counter_code text,
  given_at     timestamptz NOT NULL,
  given_by     text        NOT NULL
);
