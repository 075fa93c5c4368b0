import { canTransition, TRANSACTION_STATES, type TransactionState } from './transaction';

/**
 * What a transaction's audit events say its row must hold: the state the lifecycle reaches by
 * following them through the state machine, and the agency reference they record. `verify`
 * compares the row with it, so an edit of `transactions.state` or `agency_ref`, or a forged or
 * removed event, shows even where no seal covers the events yet.
 */
export interface HistoryEvent {
  /** Where the event is: its chain and position. */
  shard: number;
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

export interface HistoryProblem {
  shard: number;
  seq: number;
  reason: 'history_not_started' | 'illegal_transition';
  detail: string;
}

export interface ExpectedRow {
  state: TransactionState | null;
  /** undefined: the events do not tell (a resolution recorded before resolutions named the reference). */
  agencyRef: string | null | undefined;
  /** What the `received` event recorded about the submission. */
  received: { service?: unknown; agency?: unknown; channel?: unknown; centre?: unknown; client?: unknown } | null;
  problems: HistoryProblem[];
}

const STATES: ReadonlySet<string> = new Set(TRANSACTION_STATES);

/** The transaction's events in the order they happened (inEntityOrder: they may lie on more than one chain). */
export function expectedFromHistory(events: readonly HistoryEvent[]): ExpectedRow {
  const problems: HistoryProblem[] = [];
  let state: TransactionState | null = null;
  // Histories hold two forms (sentAtOf, transaction-events.ts). Today a request sent and its outcome
  // are one event, the outcome's (with `sentAt`), judged from the state before it like any other.
  // In the older form a `dispatched` event without `sentAt` marked the request leaving, and the
  // outcome recorded with it may be judged from the state before that (a replay from `manual` that
  // the agency could not read is `parked`). A `dispatched` event with `sentAt` is the hand-over as
  // the change itself (an answer to come later), a state like any other.
  let beforeDispatch: TransactionState | null = null;
  let agencyRef: string | null | undefined = null;
  let received: ExpectedRow['received'] = null;

  for (const event of events) {
    if (state === null) {
      if (event.type !== 'received') {
        problems.push({ shard: event.shard, seq: event.seq, reason: 'history_not_started', detail: `the first event is ${event.type}, not received` });
      } else {
        received = { service: event.data.service, agency: event.data.agency, channel: event.data.channel, centre: event.data.centre, client: event.data.client };
      }
      state = 'received';
      if (event.type === 'received') continue;
    }
    if (event.type === 'replay_failed') {
      // A replay that failed leaves the transaction in the backlog: in the older form the state its
      // `dispatched` event left (`manual`), in today's form where it stood, as the row does.
      if (beforeDispatch !== null) state = beforeDispatch;
      beforeDispatch = null;
      continue;
    }
    const to = targetState(event);
    if (to === undefined) continue; // not a change of state (a read, a note)
    const legal =
      canTransition(state, to) ||
      (to === 'manual' && event.type === 'replay_requested' && (state === 'manual' || state === 'parked')) ||
      (beforeDispatch !== null && canTransition(beforeDispatch, to));
    if (!legal) problems.push({ shard: event.shard, seq: event.seq, reason: 'illegal_transition', detail: `${event.type}: ${state} → ${to} is not a transition of the lifecycle` });
    beforeDispatch = event.type === 'dispatched' && !('sentAt' in event.data) ? state : null;
    state = to;
    agencyRef = referenceAfter(event, agencyRef);
  }
  return { state, agencyRef, received, problems };
}

function targetState(event: HistoryEvent): TransactionState | undefined {
  if (event.type === 'replay_requested') return 'manual';
  if (event.type === 'conflict_resolved') return typeof event.data.state === 'string' && STATES.has(event.data.state) ? (event.data.state as TransactionState) : undefined;
  return STATES.has(event.type) ? (event.type as TransactionState) : undefined;
}

/** The steps that set `agency_ref` name it in their event (transaction-step.sql.ts writes the same value). */
function referenceAfter(event: HistoryEvent, current: string | null | undefined): string | null | undefined {
  const ref = event.data.agencyRef;
  switch (event.type) {
    case 'completed':
      return typeof ref === 'string' ? ref : current;
    case 'completed_manually':
    case 'rejected':
      // A manual outcome (it carries `outcome`) sets the reference the officer typed, when there is one.
      return 'outcome' in event.data && typeof ref === 'string' ? ref : current;
    case 'conflict_resolved':
      if (!('agencyRef' in event.data)) return undefined;
      return typeof ref === 'string' ? ref : current;
    default:
      return current;
  }
}
