import { DomainError } from '../shared/errors';

/**
 * Who may read the audit log, and how much of it: one function per action, each returning the
 * scope it allows or refusing, so that the policy module (issue 9.1) can take them over as they are.
 * A second role never widens a scope another narrows: an agency client that also holds `auditor`
 * still sees only its agency.
 */
export interface AuditActor {
  subject: string;
  roles: readonly string[];
  /** The agency an agency client belongs to (its token's `agency` claim). */
  agency?: string;
}

/** `agency` set: only that agency's transactions and events. Absent: the whole log. */
export interface AuditScope {
  agency?: string;
}

/** Reading the audit log: transactions, events, trails, exports, seals. */
export function auditScope(actor: AuditActor): AuditScope {
  if (actor.roles.includes('agency')) {
    if (!actor.agency) throw new DomainError('forbidden', 'agency-not-named', 'Your agency token names no agency.');
    return { agency: actor.agency };
  }
  if (actor.roles.includes('auditor') || actor.roles.includes('admin')) return {};
  throw new DomainError('forbidden', 'not-an-auditor', 'Reading the audit log needs the auditor, admin or agency role.');
}

/** Verifying the whole log names findings of every agency: auditors and admins only. */
export function mayVerifyAudit(actor: AuditActor): void {
  if (auditScope(actor).agency !== undefined) throw new DomainError('forbidden', 'verify-needs-whole-log', 'Verifying the audit log covers every agency: auditors and admins only.');
}

/** Sealing on demand: admins. */
export function maySealAudit(actor: AuditActor): void {
  if (!actor.roles.includes('admin')) throw new DomainError('forbidden', 'not-an-admin', 'Sealing the audit log on demand needs the admin role.');
}
