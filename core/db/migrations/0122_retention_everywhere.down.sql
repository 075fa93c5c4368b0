DROP INDEX IF EXISTS ussd_sessions_phone;
DROP INDEX IF EXISTS phone_rate_limits_phone;
DROP INDEX IF EXISTS outage_notices_phone;
DROP INDEX IF EXISTS phone_rate_limits_retention;
DROP INDEX IF EXISTS outage_notices_retention;
DROP INDEX IF EXISTS citizen_notices_retention;
DROP INDEX IF EXISTS ticket_feedback_retention;
DROP INDEX IF EXISTS queue_tickets_retention;
