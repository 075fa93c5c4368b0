-- USSD conversations (Africa's Talking callbacks). One row per live session, so that any api
-- replica, or one restarted mid-conversation, carries on where the citizen was. The menu state
-- holds the phone number and, once typed, the national ID number: it is sealed (AES-256-GCM by
-- the PersonalDataVault); `phone_hash` (keyed hash) only checks that a session stays with its phone.
CREATE TABLE ussd_sessions (
  session_id   text        PRIMARY KEY CHECK (length(session_id) BETWEEN 1 AND 128),
  phone_hash   text        NOT NULL,
  state_sealed bytea       NOT NULL,
  -- Optimistic lock: two replicas answering one session at once cannot both move it on.
  version      integer     NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  -- After this the conversation starts again at the menu (Africa's Talking drops a session after ~180 s).
  expires_at   timestamptz NOT NULL
);
CREATE INDEX ussd_sessions_expiry ON ussd_sessions (expires_at);
