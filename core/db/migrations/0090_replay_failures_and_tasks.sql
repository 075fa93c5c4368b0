-- Replay that never stalls (issue 10): a transaction's failed replays and breaker refusals are
-- counted apart from its attempts, and bulk replays run as persistent tasks.

ALTER TABLE transactions
  -- Replays of this stored transaction that failed while its agency was otherwise healthy
  -- (reset when it leaves the backlog); past the agency's `replay.maxFailures` it is parked.
  ADD COLUMN replay_failures  integer NOT NULL DEFAULT 0 CHECK (replay_failures >= 0),
  -- Attempts our own circuit breaker refused without calling the agency: they do not count
  -- against `max_attempts` (attempts stays the claim counter, so retry job ids stay unique).
  ADD COLUMN breaker_refusals integer NOT NULL DEFAULT 0 CHECK (breaker_refusals >= 0);

-- Progress of a replay: what left the backlog lately (ETA from real progress).
CREATE INDEX transactions_replayed ON transactions (agency_code, replayed_at) WHERE replayed_at IS NOT NULL;

-- A bulk replay (like OpenHIM's re-run tasks): parked or stranded `manual` transactions matching
-- `filters` are put back in their agencies' backlogs, `batch_size` at a time at `per_second`,
-- oldest first, by whichever worker holds the lease. The cursor is the last transaction handled,
-- so a restarted worker carries on after it; cancelling leaves the rest where they were.
CREATE TABLE replay_tasks (
  id                uuid        PRIMARY KEY,
  status            text        NOT NULL CHECK (status IN ('running', 'paused', 'completed', 'cancelled')),
  filters           jsonb       NOT NULL,
  batch_size        integer     NOT NULL CHECK (batch_size BETWEEN 1 AND 500),
  per_second        numeric     NOT NULL CHECK (per_second > 0),
  total             integer     NOT NULL CHECK (total >= 0),
  requeued          integer     NOT NULL DEFAULT 0,
  skipped           integer     NOT NULL DEFAULT 0,
  batches           integer     NOT NULL DEFAULT 0,
  cursor_created_at timestamptz,
  cursor_id         uuid,
  next_batch_at     timestamptz NOT NULL,
  lease_owner       text,
  lease_until       timestamptz,
  created_by        text        NOT NULL,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  finished_at       timestamptz
);
CREATE INDEX replay_tasks_due ON replay_tasks (next_batch_at) WHERE status = 'running';
CREATE INDEX replay_tasks_created ON replay_tasks (created_at DESC, id DESC);
