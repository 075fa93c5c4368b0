-- Citizen notices as an outbox the worker drains through the SMS driver (issue 10): until now the
-- rows were written and nothing sent them. Any kind of notice (a completed transaction, an outage
-- or a rebooking) is a row: its kind, its text, the phone sealed; sent with retries.

ALTER TABLE citizen_notices DROP CONSTRAINT citizen_notices_pkey;
ALTER TABLE citizen_notices
  ADD COLUMN id              bigserial PRIMARY KEY,
  ALTER COLUMN transaction_id DROP NOT NULL,
  -- Once-only key of a notice about something else than a transaction (a booking, an outage).
  ADD COLUMN notice_key      text,
  -- The SMS text: facts only (references, service, centre, time), never personal data.
  ADD COLUMN body            text,
  ADD COLUMN attempts        integer NOT NULL DEFAULT 0,
  ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN sent_at         timestamptz,
  ADD COLUMN provider_ref    text,
  ADD COLUMN last_error      text;

-- Rows written before: the completion notice in the words the replay now uses.
UPDATE citizen_notices SET body = 'Huduma: your application is complete. Agency reference: ' || coalesce(agency_ref, '-') || '.' WHERE body IS NULL;
ALTER TABLE citizen_notices ALTER COLUMN body SET NOT NULL;
-- `pending`: to send; `sent`: the SMS provider took it; `failed`: retries spent; `no-phone`: nothing to send.
UPDATE citizen_notices SET status = CASE WHEN phone_sealed IS NULL THEN 'no-phone' ELSE 'pending' END;
ALTER TABLE citizen_notices ALTER COLUMN status SET DEFAULT 'pending',
  ADD CONSTRAINT citizen_notices_status CHECK (status IN ('pending', 'sent', 'failed', 'no-phone'));

CREATE UNIQUE INDEX citizen_notices_once ON citizen_notices (transaction_id, kind) WHERE transaction_id IS NOT NULL;
CREATE UNIQUE INDEX citizen_notices_key ON citizen_notices (notice_key) WHERE notice_key IS NOT NULL;
CREATE INDEX citizen_notices_due ON citizen_notices (next_attempt_at) WHERE status = 'pending';
