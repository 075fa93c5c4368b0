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
  let shown: Citizen = citizen;
  if (!options.showPersonalData) {
    shown = { idNumber: maskIdNumber(citizen.idNumber) };
    if (citizen.phone) shown.phone = maskPhone(citizen.phone);
  }
  // For `dispatched`, the time after which a missing answer counts as a timed-out attempt.
  const dueAt = tx.state === 'retrying' || tx.state === 'received' || tx.state === 'dispatched' ? tx.nextAttemptAt : null;
  // Optional fields set on the view, not spread in (`...x` cost V8 a new hidden class per call; issue 13).
  const view: TransactionView = {
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
  };
  if (options.history) view.history = options.history.map((e) => ({ type: e.type, at: e.occurredAt.toISOString(), actor: e.actor, data: e.data }));
  addFallbackView(view, tx, services);
  return view;
}

export function toTransactionSummary(tx: Transaction, services: ServiceInstructions): TransactionSummary {
  const summary: TransactionSummary = {
    id: tx.id,
    service: tx.serviceCode,
    agency: tx.agencyCode,
    centre: tx.centreCode,
    state: tx.state,
    agencyReference: tx.agencyRef,
    lastError: tx.lastError,
    createdAt: tx.createdAt.toISOString(),
    updatedAt: tx.updatedAt.toISOString(),
  };
  addFallbackView(summary, tx, services);
  return summary;
}

/** The fallback's fields, set on `view` in this order (none when the transaction never fell back, was decided by hand, parked or flagged). */
function addFallbackView(view: FallbackView, tx: Transaction, services: ServiceInstructions): void {
  if (!tx.fallback && !tx.manualOutcome && !tx.parkedReason && !tx.conflict) return;
  const instructions = tx.fallback === 'manual' ? services.service(tx.serviceCode)?.manualInstructions : undefined;
  view.fallback = tx.fallback;
  view.provisionalReference = tx.provisionalRef;
  if (instructions) view.manualInstructions = instructions;
  if (tx.provisionalRef) view.acknowledgmentUrl = `/v1/transactions/${tx.id}/acknowledgment`;
  view.replayPending = tx.replayPending;
  if (tx.manualOutcome) view.manualOutcome = tx.manualOutcome;
  if (tx.parkedReason) view.parkedReason = tx.parkedReason;
  if (tx.conflict) view.conflict = tx.conflict;
}
