-- "Where is my application?" (issue 14.4): a citizen sends a final reference without saying which
-- agency gave it, so the agency reference alone must be one index probe too.
CREATE INDEX transactions_agency_ref_alone ON transactions (agency_ref) WHERE agency_ref IS NOT NULL;

-- Per-phone limits of the citizens' channels (status look-ups by USSD and SMS): hits per fixed
-- window, keyed by the phone's keyed hash (never the number).
CREATE TABLE phone_rate_limits (
  scope        text        NOT NULL,
  phone_hash   text        NOT NULL,
  window_start timestamptz NOT NULL,
  hits         integer     NOT NULL CHECK (hits > 0),
  PRIMARY KEY (scope, phone_hash, window_start)
);
