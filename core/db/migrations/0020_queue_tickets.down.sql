DROP TABLE IF EXISTS ticket_feedback;
DROP TABLE IF EXISTS queue_events;
DROP TABLE IF EXISTS counter_sessions;
DROP TABLE IF EXISTS queue_tickets;
DROP TABLE IF EXISTS queue_ticket_numbers;
