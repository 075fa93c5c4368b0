-- Retention reaches every table that holds something of a citizen (issue 9.4; README "Retention
-- and erasure"): the sweep finds what is past its cutoff, oldest first, with one index range scan
-- per table, over the rows still holding something to erase.
CREATE INDEX queue_tickets_retention ON queue_tickets (arrived_at) WHERE phone_sealed IS NOT NULL;
CREATE INDEX ticket_feedback_retention ON ticket_feedback (given_at) WHERE comment_sealed IS NOT NULL;
CREATE INDEX citizen_notices_retention ON citizen_notices (created_at) WHERE transaction_id IS NULL AND phone_sealed IS NOT NULL;
CREATE INDEX outage_notices_retention ON outage_notices (sent_at);
CREATE INDEX phone_rate_limits_retention ON phone_rate_limits (window_start);
-- Erasure finds a citizen's phones in these by keyed hash (the primary keys start with another column).
CREATE INDEX outage_notices_phone ON outage_notices (phone_hash);
CREATE INDEX phone_rate_limits_phone ON phone_rate_limits (phone_hash);
CREATE INDEX ussd_sessions_phone ON ussd_sessions (phone_hash);
