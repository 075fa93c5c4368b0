-- The operations room's alerts (core/alerts). One row per firing of a rule for a subject (an
-- agency code, or a worker instance); at most one firing row per rule and subject at a time, so
-- two workers evaluating at once fire it once. Firing and resolution are audit events too.
CREATE TABLE ops_alerts (
  id           bigserial PRIMARY KEY,
  rule         text        NOT NULL,
  subject      text        NOT NULL,
  state        text        NOT NULL CHECK (state IN ('firing', 'resolved')),
  -- Codes and figures only (never personal data): e.g. "breaker open for 312 s".
  detail       text        NOT NULL,
  value        double precision NOT NULL,
  threshold    double precision NOT NULL,
  fired_at     timestamptz NOT NULL,
  resolved_at  timestamptz,
  notified_at  timestamptz
);
CREATE UNIQUE INDEX ops_alerts_one_firing ON ops_alerts (rule, subject) WHERE state = 'firing';
CREATE INDEX ops_alerts_recent ON ops_alerts (fired_at DESC);

-- Throttling: when a rule last notified for a subject (at most one notice per rule and subject per period).
CREATE TABLE ops_alert_throttle (
  rule          text        NOT NULL,
  subject       text        NOT NULL,
  notified_at   timestamptz NOT NULL,
  PRIMARY KEY (rule, subject)
);

-- Every worker process says it is alive at each alert pass; one that stops saying so is missing.
-- A worker that shuts down cleanly deletes its row.
CREATE TABLE worker_heartbeats (
  instance    text        PRIMARY KEY,
  started_at  timestamptz NOT NULL,
  beat_at     timestamptz NOT NULL
);
