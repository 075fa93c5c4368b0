ALTER TABLE transactions DROP COLUMN channel_client;
