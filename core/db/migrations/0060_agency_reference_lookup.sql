-- Reconciliation (issue 4): an agency answer whose reference another transaction of the same
-- agency already holds is flagged `conflict`. This makes that check one index probe.
CREATE INDEX transactions_agency_ref ON transactions (agency_code, agency_ref) WHERE agency_ref IS NOT NULL;
