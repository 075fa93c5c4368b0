DROP FUNCTION ticket_call_ahead_claim(uuid, timestamptz);
DROP FUNCTION ticket_in_hand(uuid);
