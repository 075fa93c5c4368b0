-- call-next picks the first waiting ticket in the order of service: appointments due within the
-- lead, then the protected classes, then everyone else, each by arrival (same instant: by number).
-- One index per rank, in that order, so each rank's pick is an index scan that stops at the first
-- ticket no other counter is taking (SKIP LOCKED), instead of sorting every waiting ticket of the
-- centre on each call. The rest's index holds appointments too: one not yet due waits like a walk-in.
CREATE INDEX queue_tickets_rank_due ON queue_tickets (centre_code, arrived_at, local_day, number, id)
  WHERE state = 'waiting' AND priority_class = 'appointment';
CREATE INDEX queue_tickets_rank_protected ON queue_tickets (centre_code, arrived_at, local_day, number, id)
  WHERE state = 'waiting' AND priority_class IN ('elderly', 'disability', 'expectant');
CREATE INDEX queue_tickets_rank_rest ON queue_tickets (centre_code, arrived_at, local_day, number, id)
  WHERE state = 'waiting' AND priority_class IN ('none', 'appointment');
