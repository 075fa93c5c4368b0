DROP INDEX IF EXISTS transactions_answer_due;
