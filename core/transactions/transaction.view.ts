import type { AuditEvent } from '../audit/audit-event';
import { maskIdNumber, maskPhone, type PersonalDataVault } from '../shared/personal-data';
import type { Citizen, TransactionRecord } from './domain/transaction';

/** A transaction as callers see it: personal data masked unless the caller may see it. */
export interface TransactionView {
  id: string;
  service: string;
  agency: string;
  channel: string;
  centre: string | null;
  officer: string | null;
  state: TransactionRecord['state'];
  agencyReference: string | null;
  result: Record<string, unknown> | null;
  lastError: TransactionRecord['lastError'];
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string | null;
  citizen: Citizen;
  createdAt: string;
  updatedAt: string;
  history?: Array<{ type: string; at: string; actor: string; data: Record<string, unknown> }>;
}

export function toTransactionView(
  record: TransactionRecord,
  vault: PersonalDataVault,
  options: { showPersonalData?: boolean; history?: AuditEvent[] } = {},
): TransactionView {
  const citizen = vault.open<Citizen>(record.citizenSealed);
  const shown: Citizen = options.showPersonalData
    ? citizen
    : { idNumber: maskIdNumber(citizen.idNumber), ...(citizen.phone ? { phone: maskPhone(citizen.phone) } : {}) };
  // For `dispatched`, the time after which a missing answer counts as a timed-out attempt.
  const dueAt = record.state === 'retrying' || record.state === 'received' || record.state === 'dispatched' ? record.nextAttemptAt : null;
  return {
    id: record.id,
    service: record.serviceCode,
    agency: record.agencyCode,
    channel: record.channel,
    centre: record.centreCode,
    officer: record.officerId,
    state: record.state,
    agencyReference: record.agencyRef,
    result: record.result,
    lastError: record.lastError,
    attempts: record.attempts,
    maxAttempts: record.maxAttempts,
    nextAttemptAt: dueAt ? dueAt.toISOString() : null,
    citizen: shown,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    ...(options.history
      ? { history: options.history.map((e) => ({ type: e.type, at: e.occurredAt.toISOString(), actor: e.actor, data: e.data })) }
      : {}),
  };
}
