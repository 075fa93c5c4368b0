DROP INDEX queue_tickets_rank_rest;
DROP INDEX queue_tickets_rank_protected;
DROP INDEX queue_tickets_rank_due;
