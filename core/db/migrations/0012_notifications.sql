-- SMS sent through the Notifier port. The embedded (outbox) driver records every message here
-- instead of sending it; the production driver records what it handed to the SMS provider.
-- The phone number is sealed; `to_hash` (keyed hash) lets a test or support desk find messages.
CREATE TABLE notifications (
  id          bigserial PRIMARY KEY,
  channel     text        NOT NULL DEFAULT 'sms',
  to_hash     text        NOT NULL,
  to_sealed   bytea       NOT NULL,
  template    text        NOT NULL,
  -- Facts rendered into the message (booking reference, centre, time); never personal data.
  data        jsonb       NOT NULL,
  body        text        NOT NULL,
  driver      text        NOT NULL,
  status      text        NOT NULL CHECK (status IN ('recorded', 'sent', 'failed')),
  provider_ref text,
  error       text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_to ON notifications (to_hash, created_at);
