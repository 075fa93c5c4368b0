-- Manual fallback (issue 4): agency modes, store-and-forward backlog, parked list, conflicts.

-- Two new transaction states: `parked` (a replay failure that needs a human) and `conflict`
-- (a manual outcome and an agency answer both exist; a manager decides).
ALTER TABLE transactions DROP CONSTRAINT transactions_state_check;
ALTER TABLE transactions ADD CONSTRAINT transactions_state_check CHECK (state IN (
  'received', 'dispatched', 'retrying', 'completed', 'rejected',
  'manual', 'completed_manually', 'cancelled', 'parked', 'conflict'));

ALTER TABLE transactions
  -- Which fallback policy accepted the transaction (NULL: it went the normal way).
  ADD COLUMN fallback        text CHECK (fallback IN ('store-and-forward', 'manual')),
  -- Printed on the citizen's acknowledgment, e.g. NRB-7K4Q-2P.
  ADD COLUMN provisional_ref text,
  -- True while a stored (store-and-forward) transaction waits to be replayed to its agency.
  ADD COLUMN replay_pending  boolean NOT NULL DEFAULT false,
  -- When the replay's outcome was recorded (progress and reconciliation).
  ADD COLUMN replayed_at     timestamptz,
  -- What the officer recorded for the paper process: {agencyRef, outcome, note, by, at}.
  ADD COLUMN manual_outcome  jsonb,
  -- Why a replay needs a human: {code, reason, at}.
  ADD COLUMN parked_reason   jsonb,
  -- Both sides of a conflict and, once resolved, the manager's decision.
  ADD COLUMN conflict        jsonb;

CREATE UNIQUE INDEX transactions_provisional_ref ON transactions (provisional_ref) WHERE provisional_ref IS NOT NULL;
-- The replay backlog, in arrival order per agency.
CREATE INDEX transactions_replay_backlog ON transactions (agency_code, created_at, id) WHERE replay_pending;
-- Lists by state (parked, conflict) with cursor pagination.
CREATE INDEX transactions_state_created ON transactions (state, created_at, id);

-- One row per agency whose mode was ever set; no row means `auto`.
CREATE TABLE agency_modes (
  agency_code        text PRIMARY KEY,
  mode               text NOT NULL DEFAULT 'auto' CHECK (mode IN ('auto', 'manual', 'maintenance')),
  reason             text,
  window_start       timestamptz,
  window_end         timestamptz,
  changed_by         text,
  changed_at         timestamptz,
  replay_paused      boolean NOT NULL DEFAULT false,
  -- Only one worker replays an agency at a time (FIFO at the agency): a lease, renewed per row.
  replay_lease_owner text,
  replay_lease_until timestamptz,
  CHECK (mode <> 'maintenance' OR (window_start IS NOT NULL AND window_end IS NOT NULL AND window_end > window_start))
);

-- Citizen notices about stored transactions (completed on replay): at most one per transaction and kind.
CREATE TABLE citizen_notices (
  transaction_id uuid        NOT NULL REFERENCES transactions (id),
  kind           text        NOT NULL,
  agency_ref     text,
  phone_sealed   bytea,
  status         text        NOT NULL DEFAULT 'recorded',
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (transaction_id, kind)
);
