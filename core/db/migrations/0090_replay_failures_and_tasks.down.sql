DROP TABLE replay_tasks;
DROP INDEX transactions_replayed;
ALTER TABLE transactions DROP COLUMN breaker_refusals, DROP COLUMN replay_failures;
