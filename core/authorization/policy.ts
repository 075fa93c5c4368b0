import type { Role } from './roles';

/** A role that is a job (every role but the `personal-data` capability). */
export type JobRole = Exclude<Role, 'personal-data'>;

/**
 * How far one role reaches in one action:
 * - `anywhere`: no limit;
 * - `own-centre`: the centre its token names (none named: refused);
 * - `named-centre`: the centre its token names, every centre when it names none (managers);
 * - `own-agency`: the agency its token names (none named: refused);
 * - `own-doing`: what the caller itself created (its submissions, its counter session).
 */
export type Reach = 'anywhere' | 'own-centre' | 'named-centre' | 'own-agency' | 'own-doing';

/** What a resource is partitioned by; a scope confines along these. */
export type Dimension = 'centre' | 'agency' | 'creator';

export interface ActionPolicy {
  /** What the action is, for the README's table and the 403's detail. */
  readonly summary: string;
  /** The roles that may act, each with its reach (several reaches intersect). */
  readonly roles: Readonly<Partial<Record<JobRole, Reach | readonly Reach[]>>>;
  /**
   * The dimensions the action's resources are partitioned by: a scope along them narrows the
   * action. A binding along a dimension the resources do not have (an agency client's agency, for
   * a counter) does not concern them. `reference` marks reference data (the catalogue, centres),
   * which no binding narrows.
   */
  readonly partitionedBy: readonly Dimension[] | 'reference';
  /**
   * Dimensions the resources span but the action cannot be narrowed along (verifying the whole
   * log spans every agency and centre): a caller bound along one of them is refused.
   */
  readonly unnarrowable?: readonly Dimension[];
  /** A resource outside the caller's scope: `hidden` (404, it does not exist for them) or `forbidden` (403). */
  readonly outOfScope: 'hidden' | 'forbidden';
  /** Whether holders of `personal-data` see national ID and phone numbers unmasked here. */
  readonly revealsPersonalData?: boolean;
}

const everywhere = { partitionedBy: 'reference', outOfScope: 'forbidden' } as const;

/**
 * One policy per action: who may do it and how far. Every use case asks `decide` (through
 * `authorize`), and the gateway's guard asks it before a handler runs (core/authorization/README
 * table in the project README is generated from this object; a spec keeps them equal).
 */
export const POLICY = {
  'catalogue.read': {
    summary: 'Read the service catalogue',
    roles: { channel: 'anywhere', officer: 'anywhere', manager: 'anywhere', operator: 'anywhere', auditor: 'anywhere', agency: 'anywhere', admin: 'anywhere' },
    ...everywhere,
  },
  'centre.read': {
    summary: 'Read centres, their hours, services and counters',
    roles: { channel: 'anywhere', officer: 'anywhere', manager: 'anywhere', operator: 'anywhere', auditor: 'anywhere', admin: 'anywhere' },
    ...everywhere,
  },
  'centre.write': { summary: "Create or replace a centre, change a service's capacity", roles: { admin: 'anywhere' }, ...everywhere },
  'slot.read': {
    summary: 'Read free appointment slots',
    roles: { channel: 'anywhere', officer: 'anywhere', manager: 'anywhere', admin: 'anywhere' },
    ...everywhere,
  },
  'agency.read': {
    summary: "Read agencies' breakers, modes, load and replay progress",
    roles: { operator: 'anywhere', manager: 'anywhere', auditor: 'anywhere', admin: 'anywhere' },
    ...everywhere,
  },
  'agency.operate': {
    summary: "Switch an agency's mode, pause or resume its replay",
    roles: { operator: 'anywhere', admin: 'anywhere' },
    ...everywhere,
  },
  'transaction.submit': {
    summary: 'Submit a transaction',
    roles: { channel: 'anywhere', officer: 'own-centre' },
    partitionedBy: ['centre', 'agency'],
    outOfScope: 'forbidden',
  },
  'transaction.read': {
    summary: 'Read a transaction',
    roles: {
      channel: 'own-doing',
      officer: 'own-centre',
      manager: 'named-centre',
      operator: 'anywhere',
      auditor: 'anywhere',
      agency: 'own-agency',
      admin: 'anywhere',
    },
    partitionedBy: ['centre', 'agency', 'creator'],
    outOfScope: 'hidden',
    revealsPersonalData: true,
  },
  'transaction.list': {
    summary: 'List transactions by state, open conflicts',
    roles: { operator: 'anywhere', manager: 'named-centre', auditor: 'anywhere', admin: 'anywhere' },
    partitionedBy: ['centre', 'agency'],
    outOfScope: 'hidden',
  },
  'transaction.acknowledgment': {
    summary: "Print a stored transaction's acknowledgment (ID number masked)",
    roles: { channel: 'own-doing', officer: 'own-centre', manager: 'named-centre', admin: 'anywhere' },
    partitionedBy: ['centre', 'agency', 'creator'],
    outOfScope: 'hidden',
  },
  'transaction.record-outcome': {
    summary: 'Record the outcome of the paper process',
    roles: { officer: 'own-centre', manager: 'named-centre' },
    partitionedBy: ['centre', 'agency'],
    outOfScope: 'forbidden',
  },
  'transaction.replay': {
    summary: 'Put parked transactions back in the replay backlog',
    roles: { operator: 'anywhere', manager: 'named-centre', admin: 'anywhere' },
    partitionedBy: ['centre', 'agency'],
    outOfScope: 'forbidden',
  },
  'replay-task.read': {
    summary: 'Read replay tasks and their progress',
    roles: { operator: 'anywhere', manager: 'named-centre', auditor: 'anywhere', admin: 'anywhere' },
    partitionedBy: [],
    unnarrowable: ['centre', 'agency'],
    outOfScope: 'forbidden',
  },
  'replay-task.manage': {
    summary: 'Start (or dry-run), pause, resume and cancel replay tasks',
    roles: { operator: 'anywhere', manager: 'named-centre', admin: 'anywhere' },
    partitionedBy: [],
    unnarrowable: ['centre', 'agency'],
    outOfScope: 'forbidden',
  },
  'ops.read': {
    summary: "Watch the operations room: agencies, queues, backlogs",
    roles: { operator: 'anywhere', manager: 'anywhere', admin: 'anywhere' },
    ...everywhere,
  },
  'conflict.resolve': {
    summary: 'Resolve a conflict between a paper and an agency outcome',
    roles: { manager: 'named-centre' },
    partitionedBy: ['centre', 'agency'],
    outOfScope: 'forbidden',
  },
  'booking.create': {
    summary: 'Book an appointment',
    roles: { channel: 'anywhere', officer: 'own-centre', admin: 'anywhere' },
    partitionedBy: ['centre'],
    outOfScope: 'forbidden',
  },
  'booking.read': {
    summary: 'Read bookings by reference or citizen',
    roles: { channel: 'anywhere', officer: 'own-centre', manager: 'named-centre', admin: 'anywhere' },
    partitionedBy: ['centre'],
    outOfScope: 'hidden',
    revealsPersonalData: true,
  },
  'booking.change': {
    summary: 'Cancel or reschedule a booking',
    roles: { channel: 'anywhere', officer: 'own-centre', admin: 'anywhere' },
    partitionedBy: ['centre'],
    outOfScope: 'hidden',
  },
  'booking.bulk-change': {
    summary: 'Move or cancel every booking in a window',
    roles: { manager: 'named-centre', admin: 'anywhere' },
    partitionedBy: ['centre'],
    outOfScope: 'forbidden',
  },
  'centre.notices.read': {
    summary: "Read a centre's optional citizen SMS choices",
    roles: { manager: 'named-centre', operator: 'anywhere', admin: 'anywhere' },
    partitionedBy: ['centre'],
    outOfScope: 'forbidden',
  },
  'centre.notices.write': {
    summary: "Turn a centre's optional citizen SMS on or off",
    roles: { manager: 'named-centre', admin: 'anywhere' },
    partitionedBy: ['centre'],
    outOfScope: 'forbidden',
  },
  'ticket.issue': {
    summary: 'Issue a queue ticket or check a booking in',
    roles: { channel: 'anywhere', officer: 'own-centre' },
    partitionedBy: ['centre'],
    outOfScope: 'forbidden',
  },
  'ticket.read': {
    summary: 'Read a ticket',
    roles: { channel: 'anywhere', officer: 'own-centre', manager: 'named-centre', operator: 'anywhere', auditor: 'anywhere' },
    partitionedBy: ['centre'],
    outOfScope: 'forbidden',
  },
  'ticket.serve': {
    summary: 'Recall, transfer, mark no-show, complete a ticket',
    roles: { officer: 'own-centre' },
    partitionedBy: ['centre'],
    outOfScope: 'forbidden',
  },
  'ticket.feedback': {
    summary: 'Give feedback on a finished visit',
    roles: { channel: 'anywhere', officer: 'own-centre' },
    partitionedBy: ['centre'],
    outOfScope: 'forbidden',
  },
  'counter.work': {
    summary: 'Open a counter, call the next ticket to it',
    roles: { officer: 'own-centre' },
    partitionedBy: ['centre'],
    outOfScope: 'forbidden',
  },
  'counter.close': {
    summary: 'Close a counter (officers their own session, managers any of their centre)',
    roles: { officer: ['own-centre', 'own-doing'], manager: 'named-centre' },
    partitionedBy: ['centre', 'creator'],
    outOfScope: 'forbidden',
  },
  'kpi.read': {
    summary: 'Read queue KPIs',
    roles: { manager: 'named-centre', operator: 'anywhere', auditor: 'anywhere', admin: 'anywhere' },
    partitionedBy: ['centre'],
    outOfScope: 'forbidden',
  },
  'personal-data.erase': {
    summary: "Erase one citizen's personal data on request",
    roles: { admin: 'anywhere' },
    partitionedBy: [],
    unnarrowable: ['centre', 'agency'],
    outOfScope: 'forbidden',
  },
  'audit.read': {
    summary: "Query and export the audit log, a transaction's trail, the seals",
    roles: { auditor: 'anywhere', admin: 'anywhere', agency: 'own-agency' },
    partitionedBy: ['agency'],
    unnarrowable: ['centre'],
    outOfScope: 'hidden',
  },
  'audit.verify': {
    summary: 'Verify the whole audit log',
    roles: { auditor: 'anywhere', admin: 'anywhere' },
    partitionedBy: [],
    unnarrowable: ['centre', 'agency'],
    outOfScope: 'forbidden',
  },
  'audit.seal': { summary: 'Seal the audit chains on demand', roles: { admin: 'anywhere' }, partitionedBy: [], outOfScope: 'forbidden' },
} as const satisfies Record<string, ActionPolicy>;

export type Action = keyof typeof POLICY;

export const ACTIONS = Object.keys(POLICY) as Action[];

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(POLICY, value);
}

/**
 * Roles that bind whoever holds them, whatever the action and whatever else the token holds: an
 * officer stays at its centre, an agency client with its agency, a manager whose token names a
 * centre at that centre. A second role never widens what one of these narrows.
 */
export const BINDINGS: Readonly<Partial<Record<JobRole, Reach>>> = {
  officer: 'own-centre',
  manager: 'named-centre',
  agency: 'own-agency',
};
