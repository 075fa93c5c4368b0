import { AuditLog } from '../../core/audit/audit-log';
import { StatementTexts } from '../../core/db/pool';
import type { TransactionStep } from '../../core/transactions/domain/transaction';
import { transactionEvent } from '../../core/transactions/domain/transaction-events';
import { stepStatement } from '../../core/transactions/pg/transaction-step.sql';
import { PgTransactionRepository } from '../../core/transactions/pg/transaction.pg-repository';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { newTransaction, storedTransaction } from '../factories/transaction-records';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Recheck Cond'?: string;
  Plans?: PlanNode[];
}

function scans(node: PlanNode, relation: string): PlanNode[] {
  const own = node['Relation Name'] === relation && node['Node Type'] !== 'ModifyTable' ? [node] : [];
  return [...own, ...(node.Plans ?? []).flatMap((child) => scans(child, relation))];
}

/** A parameter as PostgreSQL's text input reads it (EXECUTE's arguments take the statement's types). */
function asText(value: unknown): string {
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `{${value.map((item) => JSON.stringify(String(item))).join(',')}}`;
  return String(value);
}

/**
 * The completing statement (the submit's second) is a named prepared statement: the api keeps its
 * generic plan for as long as the connection lives, whatever size the table grows to. A plan made
 * while the table is small must still read transactions only by key — the row by its id, another
 * holder of the agency reference by that reference — never an agency's rows in turn.
 */
describe('the completing statement, planned once on a small table', () => {
  let db: TestDatabase;
  let audit: AuditLog;

  beforeAll(async () => {
    db = await createTestDatabase({ poolMax: 2 });
    audit = await AuditLog.open(db.pool);
  });

  afterAll(async () => {
    await db?.close();
  });

  it('looks up the duplicate holder by its agency reference in the generic plan', async () => {
    const repository = new PgTransactionRepository(db.pool, audit);
    for (let i = 0; i < 20; i++) {
      const tx = newTransaction();
      await repository.record(tx, [transactionEvent(tx.id, 'received', 'system:test', new Date(), {})]);
      await repository.apply(tx.id, { guard: { states: ['received'] }, change: { state: 'completed', agencyRef: `NRB-PLAN-${i}` }, events: [] });
    }
    const tx = newTransaction({ idempotencyScope: 'channel', idempotencyKey: 'plan-1', requestHash: 'h' });
    await repository.record(tx, [transactionEvent(tx.id, 'received', 'system:test', new Date(), {})]);
    const at = new Date();
    const step: TransactionStep = {
      guard: { states: ['received'], attempt: 1 },
      change: { state: 'completed', agencyRef: 'NRB-PLAN-NEW', lastError: null, nextAttemptAt: null },
      events: [transactionEvent(tx.id, 'completed', 'system:test', at, { attempt: 1 })],
    };
    const answer = {
      request: { scope: 'channel', key: 'plan-1', route: 'POST /v1/transactions', fingerprint: 'h' },
      answer: { status: 200, body: { id: tx.id } },
      transaction: storedTransaction({ ...tx, state: 'completed', agencyRef: 'NRB-PLAN-NEW' }, at),
      at,
    };
    const { text, values } = stepStatement(tx.id, step, { findDuplicateReference: true, answer }, audit, new StatementTexts(1));

    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`PREPARE completing AS ${text}`);
      await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
      const args = values.map((value) => (value === null || value === undefined ? 'NULL' : client.escapeLiteral(asText(value)))).join(', ');
      const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) EXECUTE completing(${args})`);
      const reads = scans(rows[0]['QUERY PLAN'][0].Plan, 'transactions');

      expect(reads.length).toBeGreaterThanOrEqual(2);
      for (const read of reads) {
        const condition = `${read['Index Cond'] ?? ''} ${read['Recheck Cond'] ?? ''}`;
        expect({ index: read['Index Name'], keyed: /\bid = \$1\b|agency_ref = /.test(condition) }).toMatchObject({ keyed: true });
      }
      expect(reads.some((read) => /agency_ref = /.test(read['Index Cond'] ?? ''))).toBe(true);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  });
});
