DROP FUNCTION audit_chain_advance(integer, text[]);
