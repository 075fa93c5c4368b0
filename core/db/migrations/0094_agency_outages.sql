-- The centre knows when an agency is down (issue 14.1): each spell an agency spends out of `auto`
-- (degraded, manual, maintenance), as the worker saw it. Hall boards show a line per affected
-- service while one is open, and citizens waiting or booked hear of it once per outage.
CREATE TABLE agency_outages (
  id          uuid        PRIMARY KEY,
  agency_code text        NOT NULL,
  mode        text        NOT NULL CHECK (mode IN ('degraded', 'manual', 'maintenance')),
  -- The end of a maintenance window: when to come back.
  until       timestamptz,
  started_at  timestamptz NOT NULL,
  ended_at    timestamptz,
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX agency_outages_open ON agency_outages (agency_code) WHERE ended_at IS NULL;

-- One SMS per outage and citizen: the phone's keyed hash, never the number.
CREATE TABLE outage_notices (
  outage_id  uuid        NOT NULL REFERENCES agency_outages (id),
  phone_hash text        NOT NULL,
  sent_at    timestamptz NOT NULL,
  PRIMARY KEY (outage_id, phone_hash)
);
