import type { Pool } from 'pg';
import type { AuditLog } from '../../../core/audit/audit-log';
import type { PublishedKeys } from '../../../core/signing/published-keys';
import { SealStore } from '../../../core/audit/seal-store';
import { AuditVerifier } from '../../../core/audit/verify-audit';
import { TransactionHistoryCheck } from '../../../core/transactions/pg/transaction-history.check';

/** verify as the API and the command run it: the chains, the seals, and every kind of business row checked against its events. */
export function createAuditVerifier(pool: Pool, audit: AuditLog, keys: PublishedKeys, workers: number): AuditVerifier {
  return new AuditVerifier(pool, audit, new SealStore(), () => keys.trusted(), [new TransactionHistoryCheck(pool)], workers);
}
