import type { Pool } from 'pg';
import type { AuditLog } from '../../audit/audit-log';

/** Why a completed transaction was flagged: its agency reference is also another transaction's. */
export const DUPLICATE_AGENCY_REFERENCE = 'duplicate-agency-reference';

/** The row as the caller reads it back: every column (the callers map the ones they know). */
interface CompletedRow {
  id: string;
  agency_code: string;
  agency_ref: string | null;
  state: string;
}

/**
 * Called right after an agency answer completed `row`. If another transaction of the same agency
 * already holds that agency reference (the agency mapped two of ours to one application, or
 * reported the same application twice), the newer one is flagged `conflict` for a manager instead
 * of standing as a silent duplicate; the earlier holder stays as it is. One index probe
 * (transactions_agency_ref) in the common case; the flag and its audit event are one statement.
 */
export async function flagDuplicateReference<T extends CompletedRow>(
  pool: Pool,
  audit: AuditLog,
  row: T,
  at: Date,
  /** The other holder when the completing statement already looked (DUPLICATE_HOLDER_SQL); null: none. */
  knownHolder?: string | null,
): Promise<T | null> {
  if (row.state !== 'completed' || row.agency_ref === null) return null;
  const holder = knownHolder === undefined ? await findHolder(pool, row) : knownHolder;
  if (!holder) return null;
  const reason = `The agency gave reference ${row.agency_ref} to transaction ${holder} too.`;
  const duplicateOf = { transactionId: holder, agencyRef: row.agency_ref, reason };
  const agency = { agencyRef: row.agency_ref, outcome: 'completed', at: at.toISOString() };
  const values = [row.id, row.agency_ref, JSON.stringify(agency), JSON.stringify(duplicateOf), JSON.stringify({ code: DUPLICATE_AGENCY_REFERENCE, reason })];
  const chain = audit.chainCtes(
    [
      {
        entityType: 'transaction',
        entityId: row.id,
        type: 'conflict',
        actor: 'system:reconciliation',
        data: { code: DUPLICATE_AGENCY_REFERENCE, agencyRef: row.agency_ref, duplicateOf: holder },
        occurredAt: at,
      },
    ],
    values.length + 1,
    'changed',
  );
  // Guarded: flagged only while still the completion we just wrote.
  const { rows } = await pool.query<T>(
    `WITH changed AS (
       UPDATE transactions
          SET state = 'conflict', last_error = $5::jsonb, updated_at = now(),
              conflict = jsonb_build_object('agency', $3::jsonb, 'duplicateOf', $4::jsonb)
        WHERE id = $1 AND state = 'completed' AND agency_ref = $2
        RETURNING *),
     ${chain.ctes}
     SELECT * FROM changed`,
    [...values, ...chain.params],
  );
  return rows[0] ?? null;
}

/**
 * A column for the RETURNING/SELECT of a completing statement over the CTE `updated`: the other
 * transaction holding the same agency reference, if any. Saves the hot path a round trip: the
 * conflict is written only in the rare case it names someone.
 */
export const DUPLICATE_HOLDER_SQL = `(SELECT t.id FROM transactions t
   WHERE t.agency_code = updated.agency_code AND t.agency_ref = updated.agency_ref AND t.id <> updated.id
   ORDER BY t.created_at, t.id LIMIT 1) AS duplicate_of`;

async function findHolder(pool: Pool, row: CompletedRow): Promise<string | undefined> {
  const other = await pool.query<{ id: string }>(
    `SELECT id FROM transactions WHERE agency_code = $1 AND agency_ref = $2 AND id <> $3 ORDER BY created_at, id LIMIT 1`,
    [row.agency_code, row.agency_ref, row.id],
  );
  return other.rows[0]?.id;
}
