CREATE TABLE outage_notices (
  outage_id  uuid        NOT NULL REFERENCES agency_outages (id),
  phone_hash text        NOT NULL,
  sent_at    timestamptz NOT NULL,
  PRIMARY KEY (outage_id, phone_hash)
);
CREATE INDEX outage_notices_retention ON outage_notices (sent_at);
CREATE INDEX outage_notices_phone ON outage_notices (phone_hash);
