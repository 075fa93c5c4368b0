-- A call-ahead SMS is claimed in a table of its own instead of on the ticket's row. The claim used
-- to UPDATE the waiting ticket, and while that row lock was held a concurrent call-next (its pick
-- is SKIP LOCKED) passed over the ticket being texted and called the one behind it, out of turn.
-- The claim's foreign-key check takes only FOR KEY SHARE, which call-next's FOR NO KEY UPDATE
-- pick does not conflict with. The walk-in's phone no longer goes at the claim (that too wrote
-- the waiting row): it goes when the ticket leaves the queue (called, or changed out of waiting).
CREATE TABLE ticket_call_aheads (
  ticket_id uuid PRIMARY KEY REFERENCES queue_tickets (id) ON DELETE CASCADE,
  claimed_at timestamptz NOT NULL
);
INSERT INTO ticket_call_aheads (ticket_id, claimed_at)
  SELECT id, call_ahead_sent_at FROM queue_tickets WHERE call_ahead_sent_at IS NOT NULL;
ALTER TABLE queue_tickets DROP COLUMN call_ahead_sent_at;
