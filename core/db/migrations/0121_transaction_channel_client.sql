-- The OAuth client (token `azp`) that submitted each transaction: which channel application
-- (kiungo-portal, kiungo-ussd, kiungo-counter, ...) called, beside the subject who did.
-- Null for rows from before, and for tokens that name no client.
ALTER TABLE transactions ADD COLUMN channel_client text;
