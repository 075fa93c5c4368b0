import { dataKeyOf } from '../../privacy/pg/citizen-keys.sql';
import type { Transaction, TransactionState } from '../domain/transaction';

/** Every column of the transactions table the aggregate holds. */
const TABLE_COLUMNS = `id, service_code, agency_code, channel, centre_code, officer_id, submitted_by, citizen_id_hash,
  citizen_sealed, payload_sealed, state, attempts, max_attempts, next_attempt_at, agency_ref, result, last_error,
  idempotency_scope, idempotency_key, request_hash, fallback, provisional_ref, replay_pending, replayed_at,
  manual_outcome, parked_reason, conflict, replay_failures, breaker_refusals, created_at, updated_at, channel_client`;

/** Every column of the aggregate, with its data key, in the order the mapper reads them. */
export const COLUMNS = `${TABLE_COLUMNS}, ${dataKeyOf('transactions')}`;

/** COLUMNS qualified by a table alias, for statements that join. */
export function columnsOf(alias: string): string {
  const columns = TABLE_COLUMNS.split(',').map((column) => `${alias}.${column.trim()}`);
  return [...columns, dataKeyOf(alias)].join(', ');
}

export interface TransactionRow {
  id: string;
  service_code: string;
  agency_code: string;
  channel: Transaction['channel'];
  centre_code: string | null;
  officer_id: string | null;
  submitted_by: string;
  channel_client: string | null;
  citizen_id_hash: string;
  citizen_sealed: Buffer;
  payload_sealed: Buffer;
  data_key_sealed: Buffer | null;
  state: TransactionState;
  attempts: number;
  max_attempts: number;
  next_attempt_at: Date | null;
  agency_ref: string | null;
  result: Record<string, unknown> | null;
  last_error: Transaction['lastError'];
  idempotency_scope: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  fallback: Transaction['fallback'];
  provisional_ref: string | null;
  replay_pending: boolean;
  replayed_at: Date | null;
  manual_outcome: Transaction['manualOutcome'];
  parked_reason: Transaction['parkedReason'];
  conflict: Transaction['conflict'];
  replay_failures: number;
  breaker_refusals: number;
  created_at: Date;
  updated_at: Date;
}

export function toTransaction(row: TransactionRow): Transaction {
  return {
    id: row.id,
    serviceCode: row.service_code,
    agencyCode: row.agency_code,
    channel: row.channel,
    centreCode: row.centre_code,
    officerId: row.officer_id,
    submittedBy: row.submitted_by,
    channelClient: row.channel_client,
    citizenIdHash: row.citizen_id_hash,
    citizenSealed: row.citizen_sealed,
    payloadSealed: row.payload_sealed,
    dataKeySealed: row.data_key_sealed,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextAttemptAt: row.next_attempt_at,
    agencyRef: row.agency_ref,
    result: row.result,
    lastError: row.last_error,
    idempotencyScope: row.idempotency_scope,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    fallback: row.fallback,
    provisionalRef: row.provisional_ref,
    replayPending: row.replay_pending,
    replayedAt: row.replayed_at,
    manualOutcome: row.manual_outcome,
    parkedReason: row.parked_reason,
    conflict: row.conflict,
    replayFailures: row.replay_failures,
    breakerRefusals: row.breaker_refusals,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
