ALTER TABLE queue_tickets ADD COLUMN call_ahead_sent_at timestamptz;
UPDATE queue_tickets q SET call_ahead_sent_at = c.claimed_at FROM ticket_call_aheads c WHERE c.ticket_id = q.id;
DROP TABLE ticket_call_aheads;
