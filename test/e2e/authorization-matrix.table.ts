import type { Action, JobRole } from '../../core/authorization';

/**
 * The expected authorization of every documented route, written by hand (not derived from the
 * policy, so that the spec checks the policy as well as its wiring). A route in the OpenAPI
 * document without a row here fails the matrix spec.
 *
 * `roles`: the single roles that get past authorization (anything but 401/403); every other role
 * gets 403. `refuses`: combinations of allowed roles that are still refused because a binding
 * role cannot be narrowed to the route's resources. `params`: path parameter values (the
 * resources of the matrix world: a transaction at NRB-GPO for agency nrb, submitted by the portal).
 */
export interface RouteRow {
  action: Action;
  roles: JobRole[];
  refuses?: ComboName[];
  params?: Record<string, string>;
  query?: string;
}

export type MatrixTable = Record<string, RouteRow | 'public'>;

/** Role combinations a token may hold; the binding claims are those of the matrix world (own centre NRB-GPO, own agency nrb). */
export const COMBOS = {
  'officer+auditor': ['officer', 'auditor'],
  'officer+agency': ['officer', 'agency'],
  'officer+manager': ['officer', 'manager'],
  'officer+channel': ['officer', 'channel'],
  'officer+admin': ['officer', 'admin'],
  'agency+personal-data': ['agency', 'personal-data'],
  'agency+auditor': ['agency', 'auditor'],
  'manager+auditor': ['manager', 'auditor'],
  'channel+auditor': ['channel', 'auditor'],
} as const;

export type ComboName = keyof typeof COMBOS;

const ALL: JobRole[] = ['channel', 'officer', 'manager', 'operator', 'auditor', 'agency', 'admin'];
const CENTRE = { code: 'NRB-GPO' };
const COUNTER = { code: 'NRB-GPO', counter: '2' };
/** Binding roles that cannot be narrowed to the whole log (or, for verify, to a part of it). */
const AUDIT_REFUSES: ComboName[] = ['officer+auditor', 'officer+agency', 'officer+admin', 'manager+auditor'];

export const MATRIX: MatrixTable = {
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
  'GET /v1/centres/{code}/board': 'public',
  'GET /boards/{code}': 'public',
  'POST /v1/channels/ussd': 'public',
  'GET /v1/audit/keys': 'public',
  'GET /v1/receipts/keys': 'public',
  'GET /v1/receipts/verify': 'public',
  'GET /verify': 'public',
  'POST /v1/channels/sms': 'public',

  'GET /v1/services': { action: 'catalogue.read', roles: ALL },
  'GET /v1/services/{code}': { action: 'catalogue.read', roles: ALL, params: { code: 'id-card-replacement' } },

  'GET /v1/centres': { action: 'centre.read', roles: ['channel', 'officer', 'manager', 'operator', 'auditor', 'admin'] },
  'GET /v1/centres/{code}': { action: 'centre.read', roles: ['channel', 'officer', 'manager', 'operator', 'auditor', 'admin'], params: CENTRE },
  'PUT /v1/centres/{code}': { action: 'centre.write', roles: ['admin'], params: CENTRE },
  'PUT /v1/centres/{code}/capacity': { action: 'centre.write', roles: ['admin'], params: CENTRE },
  'GET /v1/centres/{code}/slots': { action: 'slot.read', roles: ['channel', 'officer', 'manager', 'admin'], params: CENTRE, query: 'service=id-card-replacement&date=2026-11-25' },

  'GET /v1/agencies': { action: 'agency.read', roles: ['manager', 'operator', 'auditor', 'admin'] },
  'GET /v1/agencies/{code}': { action: 'agency.read', roles: ['manager', 'operator', 'auditor', 'admin'], params: { code: 'nrb' } },
  'PUT /v1/agencies/{code}/mode': { action: 'agency.operate', roles: ['operator', 'admin'], params: { code: 'nrb' } },
  'GET /v1/agencies/{code}/maintenance/bookings': { action: 'booking.bulk-change', roles: ['manager', 'admin'], params: { code: 'nrb' } },
  'POST /v1/agencies/{code}/replay/pause': { action: 'agency.operate', roles: ['operator', 'admin'], params: { code: 'nrb' } },
  'POST /v1/agencies/{code}/replay/resume': { action: 'agency.operate', roles: ['operator', 'admin'], params: { code: 'nrb' } },

  'POST /v1/transactions': { action: 'transaction.submit', roles: ['channel', 'officer'] },
  'GET /v1/transactions': { action: 'transaction.list', roles: ['manager', 'operator', 'auditor', 'admin'], query: 'state=completed' },
  'GET /v1/transactions/{id}': { action: 'transaction.read', roles: ALL },
  'GET /v1/transactions/{id}/acknowledgment': { action: 'transaction.acknowledgment', roles: ['channel', 'officer', 'manager', 'admin'] },
  'POST /v1/transactions/{id}/manual-outcome': { action: 'transaction.record-outcome', roles: ['officer', 'manager'] },
  'POST /v1/replay-tasks/dry-run': { action: 'replay-task.manage', roles: ['operator', 'admin'], refuses: ['officer+admin'] },
  'POST /v1/replay-tasks': { action: 'replay-task.manage', roles: ['operator', 'admin'], refuses: ['officer+admin'] },
  'GET /v1/replay-tasks': { action: 'replay-task.read', roles: ['operator', 'auditor', 'admin'], refuses: ['officer+auditor', 'officer+admin', 'agency+auditor', 'manager+auditor'] },
  'GET /v1/replay-tasks/{id}': { action: 'replay-task.read', roles: ['operator', 'auditor', 'admin'], refuses: ['officer+auditor', 'officer+admin', 'agency+auditor', 'manager+auditor'], params: { id: '00000000-0000-4000-8000-000000000000' } },
  'POST /v1/replay-tasks/{id}/pause': { action: 'replay-task.manage', roles: ['operator', 'admin'], refuses: ['officer+admin'], params: { id: '00000000-0000-4000-8000-000000000000' } },
  'POST /v1/replay-tasks/{id}/resume': { action: 'replay-task.manage', roles: ['operator', 'admin'], refuses: ['officer+admin'], params: { id: '00000000-0000-4000-8000-000000000000' } },
  'POST /v1/replay-tasks/{id}/cancel': { action: 'replay-task.manage', roles: ['operator', 'admin'], refuses: ['officer+admin'], params: { id: '00000000-0000-4000-8000-000000000000' } },
  'POST /v1/transactions/{id}/replay': { action: 'transaction.replay', roles: ['manager', 'operator', 'admin'] },
  'GET /v1/reconciliation': { action: 'transaction.list', roles: ['manager', 'operator', 'auditor', 'admin'] },
  'POST /v1/reconciliation/{id}/resolve': { action: 'conflict.resolve', roles: ['manager'] },

  'POST /v1/bookings': { action: 'booking.create', roles: ['channel', 'officer', 'admin'] },
  'GET /v1/bookings': { action: 'booking.read', roles: ['channel', 'officer', 'manager', 'admin'], query: 'citizen=12345678' },
  'GET /v1/bookings/{reference}': { action: 'booking.read', roles: ['channel', 'officer', 'manager', 'admin'] },
  'POST /v1/bookings/{reference}/cancel': { action: 'booking.change', roles: ['channel', 'officer', 'admin'], params: { reference: 'ZZZZ-ZZZZ' } },
  'POST /v1/bookings/{reference}/reschedule': { action: 'booking.change', roles: ['channel', 'officer', 'admin'] },

  'POST /v1/bookings/bulk-change': { action: 'booking.bulk-change', roles: ['manager', 'admin'] },
  'GET /v1/centres/{code}/notice-choices': { action: 'centre.notices.read', roles: ['manager', 'operator', 'admin'], params: CENTRE },
  'PUT /v1/centres/{code}/notice-choices': { action: 'centre.notices.write', roles: ['manager', 'admin'], params: CENTRE },

  'POST /v1/centres/{code}/tickets': { action: 'ticket.issue', roles: ['channel', 'officer'], params: CENTRE },
  'GET /v1/tickets/{id}': { action: 'ticket.read', roles: ['channel', 'officer', 'manager', 'operator', 'auditor'] },
  'POST /v1/tickets/{id}/recall': { action: 'ticket.serve', roles: ['officer'] },
  'POST /v1/tickets/{id}/transfer': { action: 'ticket.serve', roles: ['officer'] },
  'POST /v1/tickets/{id}/no-show': { action: 'ticket.serve', roles: ['officer'] },
  'POST /v1/tickets/{id}/complete': { action: 'ticket.serve', roles: ['officer'] },
  'POST /v1/tickets/{id}/feedback': { action: 'ticket.feedback', roles: ['channel', 'officer'] },
  'POST /v1/centres/{code}/counters/{counter}/open': { action: 'counter.work', roles: ['officer'], params: COUNTER },
  'POST /v1/centres/{code}/counters/{counter}/close': { action: 'counter.close', roles: ['officer', 'manager'], params: COUNTER },
  'POST /v1/centres/{code}/counters/{counter}/call-next': { action: 'counter.work', roles: ['officer'], params: COUNTER },
  'GET /v1/centres/{code}/kpis': { action: 'kpi.read', roles: ['manager', 'operator', 'auditor', 'admin'], params: CENTRE },
  'GET /v1/kpis': { action: 'kpi.read', roles: ['manager', 'operator', 'auditor', 'admin'], query: 'from=2026-11-24&to=2026-11-24' },

  'GET /v1/audit/transactions': { action: 'audit.read', roles: ['auditor', 'agency', 'admin'], refuses: AUDIT_REFUSES },
  'GET /v1/transactions/{id}/events': { action: 'audit.read', roles: ['auditor', 'agency', 'admin'], refuses: AUDIT_REFUSES },
  'GET /v1/audit/events': { action: 'audit.read', roles: ['auditor', 'agency', 'admin'], refuses: AUDIT_REFUSES },
  'GET /v1/audit/export': { action: 'audit.read', roles: ['auditor', 'agency', 'admin'], refuses: AUDIT_REFUSES, query: 'of=events&format=jsonl' },
  'GET /v1/audit/seals': { action: 'audit.read', roles: ['auditor', 'agency', 'admin'], refuses: AUDIT_REFUSES },
  'GET /v1/audit/verify': { action: 'audit.verify', roles: ['auditor', 'admin'], refuses: [...AUDIT_REFUSES, 'agency+auditor'] },
  'POST /v1/audit/seals': { action: 'audit.seal', roles: ['admin'] },

  'GET /ops': 'public',
  'POST /ops/dev-sign-in': 'public',
  'POST /ops/sign-out': 'public',
  'POST /ops/session': { action: 'ops.read', roles: ['manager', 'operator', 'admin'] },
  'GET /v1/ops/overview': { action: 'ops.read', roles: ['manager', 'operator', 'admin'] },
  'GET /v1/ops/stream': { action: 'ops.read', roles: ['manager', 'operator', 'admin'] },

  'POST /v1/privacy/erasures': { action: 'personal-data.erase', roles: ['admin'], refuses: ['officer+admin'] },
};
