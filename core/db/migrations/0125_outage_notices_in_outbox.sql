-- An outage's SMS is a notice in the outbox now (citizen_notices, once-only key
-- `outage:<outage id>:<booking id>`), sent by the worker with retries, so the separate claim table
-- that made it once per outage goes (a claim taken before a failed send lost that SMS for good).
DROP TABLE outage_notices;
