import { randomBytes, randomUUID } from 'node:crypto';
import type { NewTransaction, Transaction } from '../../core/transactions/domain/transaction';

/** A transaction as SubmitTransaction records it (state `received`, first attempt claimed), sealed fields random. */
export function newTransaction(overrides: Partial<NewTransaction> = {}): NewTransaction {
  return {
    id: randomUUID(),
    serviceCode: 'id-card-replacement',
    agencyCode: 'nrb',
    channel: 'counter',
    centreCode: 'NRB-GPO',
    officerId: 'officer-1',
    submittedBy: 'officer-1',
    channelClient: 'kiungo-counter',
    citizenIdHash: 'hash',
    citizenSealed: randomBytes(16),
    payloadSealed: randomBytes(16),
    dataKeySealed: randomBytes(61),
    state: 'received',
    attempts: 1,
    maxAttempts: 3,
    nextAttemptAt: new Date(Date.now() + 60_000),
    idempotencyScope: null,
    idempotencyKey: null,
    requestHash: null,
    fallback: null,
    provisionalRef: null,
    replayPending: false,
    ...overrides,
  };
}

/** The same, as read back: nothing recorded yet beyond what was submitted. */
export function storedTransaction(overrides: Partial<Transaction> = {}, at = new Date()): Transaction {
  return {
    ...newTransaction(),
    agencyRef: null,
    result: null,
    lastError: null,
    replayedAt: null,
    manualOutcome: null,
    parkedReason: null,
    conflict: null,
    replayFailures: 0,
    breakerRefusals: 0,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}
