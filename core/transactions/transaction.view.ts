import type { Transaction as TransactionMessage, TransactionSummary as TransactionSummaryMessage } from '../../contracts/src/message.types';
import type { AuditEvent } from '../audit/audit-event';
import { maskIdNumber, maskPhone, type PersonalDataVault } from '../shared/personal-data';
import type { Citizen, Transaction } from './domain/transaction';

/** Where a view finds a service's paper-process instructions (the catalogue). */
export interface ServiceInstructions {
  service(code: string): { manualInstructions: string } | undefined;
}

/**
 * The views are the response messages (contracts/schemas/transaction-summary.v1.json, transaction.v1.json):
 * the types are generated from the schemas the OpenAPI document shows and the test apps check answers against.
 */
export type TransactionSummary = TransactionSummaryMessage;
export type TransactionView = TransactionMessage;
type FallbackView = Pick<
  TransactionSummary,
  'fallback' | 'provisionalReference' | 'manualInstructions' | 'acknowledgmentUrl' | 'replayPending' | 'manualOutcome' | 'parkedReason' | 'conflict'
>;

export function toTransactionView(
  tx: Transaction,
  vault: PersonalDataVault,
  services: ServiceInstructions,
  options: { showPersonalData?: boolean; history?: AuditEvent[]; citizen?: Citizen } = {},
): TransactionView {
  // `citizen`: the caller's own copy, when it has one (the submit): the sealed one need not be opened.
  const citizen = options.citizen ?? vault.openCitizen<Citizen>(tx);
  const shown: Citizen = options.showPersonalData
    ? citizen
    : { idNumber: maskIdNumber(citizen.idNumber), ...(citizen.phone ? { phone: maskPhone(citizen.phone) } : {}) };
  // For `dispatched`, the time after which a missing answer counts as a timed-out attempt.
  const dueAt = tx.state === 'retrying' || tx.state === 'received' || tx.state === 'dispatched' ? tx.nextAttemptAt : null;
  return {
    id: tx.id,
    service: tx.serviceCode,
    agency: tx.agencyCode,
    channel: tx.channel,
    centre: tx.centreCode,
    officer: tx.officerId,
    state: tx.state,
    agencyReference: tx.agencyRef,
    result: tx.result,
    lastError: tx.lastError,
    attempts: tx.attempts,
    maxAttempts: tx.maxAttempts,
    nextAttemptAt: dueAt ? dueAt.toISOString() : null,
    citizen: shown,
    createdAt: tx.createdAt.toISOString(),
    updatedAt: tx.updatedAt.toISOString(),
    ...(options.history
      ? { history: options.history.map((e) => ({ type: e.type, at: e.occurredAt.toISOString(), actor: e.actor, data: e.data })) }
      : {}),
    ...toFallbackView(tx, services),
  };
}

export function toTransactionSummary(tx: Transaction, services: ServiceInstructions): TransactionSummary {
  return {
    id: tx.id,
    service: tx.serviceCode,
    agency: tx.agencyCode,
    centre: tx.centreCode,
    state: tx.state,
    agencyReference: tx.agencyRef,
    lastError: tx.lastError,
    createdAt: tx.createdAt.toISOString(),
    updatedAt: tx.updatedAt.toISOString(),
    ...toFallbackView(tx, services),
  };
}

function toFallbackView(tx: Transaction, services: ServiceInstructions): FallbackView {
  if (!tx.fallback && !tx.manualOutcome && !tx.parkedReason && !tx.conflict) return {};
  const instructions = tx.fallback === 'manual' ? services.service(tx.serviceCode)?.manualInstructions : undefined;
  return {
    fallback: tx.fallback,
    provisionalReference: tx.provisionalRef,
    ...(instructions ? { manualInstructions: instructions } : {}),
    ...(tx.provisionalRef ? { acknowledgmentUrl: `/v1/transactions/${tx.id}/acknowledgment` } : {}),
    replayPending: tx.replayPending,
    ...(tx.manualOutcome ? { manualOutcome: tx.manualOutcome } : {}),
    ...(tx.parkedReason ? { parkedReason: tx.parkedReason } : {}),
    ...(tx.conflict ? { conflict: tx.conflict } : {}),
  };
}
