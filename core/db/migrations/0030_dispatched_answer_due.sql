-- File-drop transactions wait in `dispatched` for an answer until next_attempt_at; the sweeper
-- looks for those whose answer is overdue.
CREATE INDEX transactions_answer_due ON transactions (next_attempt_at) WHERE state = 'dispatched';
