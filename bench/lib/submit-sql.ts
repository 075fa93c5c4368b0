/**
 * The SQL one transaction submit sends, captured from the real code, as a pgbench script.
 *
 * POST /v1/transactions (agency healthy, answered inline) runs four statements, each on its own
 * (autocommit), in this order: the Idempotency-Key's claim (core/idempotency), PgTransactionRepository's
 * record (the row + its `received` audit event, chained in SQL), apply (state `completed` + the
 * `dispatched` and `completed` events), and the UPDATE that stores the answer on the claim. The
 * statements are taken by running those methods against a pool that records what it
 * is asked, so the script follows the code when the code changes.
 *
 * pgbench substitutes `:name` anywhere in a command, quotes included, so every literal is written
 * as an E'' string with its colons escaped (\x3a), and the per-transaction values are variables:
 * :txid and :idem_key (gen_random_uuid(), returned by the claim's \gset) and :shard
 * (\set random(0, shards - 1), as shardOf() spreads entities over the chains).
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { nrbEnvelope } from '../../test/e2e/transactions.helpers';
import { AuditLog, type ChainCtes } from '../../core/audit/audit-log';
import type { NewAuditEvent } from '../../core/audit/audit-event';
import { PgIdempotencyRepository } from '../../core/idempotency/pg/idempotency.pg-repository';
import { nextState } from '../../core/transactions/domain/agency-outcome';
import type { NewTransaction, Transaction } from '../../core/transactions/domain/transaction';
import { PgTransactionRepository } from '../../core/transactions/pg/transaction.pg-repository';
import { PersonalDataVault } from '../../core/shared/personal-data';

const PLACEHOLDER_ID = '00000000-0000-4000-8000-00000000d1d1';
const PLACEHOLDER_KEY = 'bench-placeholder-idempotency-key';
const SCOPE = 'bench';

interface Captured {
  text: string;
  values: unknown[];
  /** Set when the code sends it as a named (prepared) statement. */
  name?: string;
  /** 1-based number of the parameter holding the audit shard, if the statement appends events. */
  shardParam?: number;
}

/** Records the statements instead of running them; every query "returns" one empty row. */
class RecordingPool {
  readonly statements: Captured[] = [];
  query(
    textOrConfig: string | { text: string; values?: unknown[]; name?: string },
    values: unknown[] = [],
  ): Promise<{ rows: Array<Record<string, unknown>>; rowCount: number }> {
    this.statements.push(
      typeof textOrConfig === 'string'
        ? { text: textOrConfig, values }
        : { text: textOrConfig.text, values: textOrConfig.values ?? [], ...(textOrConfig.name ? { name: textOrConfig.name } : {}) },
    );
    return Promise.resolve({ rows: [{}], rowCount: 1 });
  }
}

/** An AuditLog that remembers where it put the shard parameter of the CTEs it wrote. */
class RecordingAuditLog extends AuditLog {
  lastShardParam?: number;
  override chainCtes(events: readonly NewAuditEvent[], firstParam: number, anchor: string): ChainCtes {
    this.lastShardParam = firstParam;
    return super.chainCtes(events, firstParam, anchor);
  }
}

/** As production constructs it (core.module.ts): with named prepared statements where the code uses them. */
const TransactionRepositoryInProduction = PgTransactionRepository as unknown as new (pool: Pool, audit: AuditLog, preparedStatements?: boolean) => PgTransactionRepository;

export interface SubmitScript {
  /** The pgbench script. */
  text: string;
  /** How many of the four statements the gateway sends as named prepared statements. */
  preparedByGateway: number;
}

/**
 * The pgbench script (text) for one submit. `storedBody` is what the interceptor stores as the
 * answer (a real gateway response body, so the jsonb is the same size).
 */
export async function submitTransactionScript(options: { shards: number; storedBody: unknown }): Promise<SubmitScript> {
  const pool = new RecordingPool();
  const audit = new RecordingAuditLog(options.shards);
  const transactions = new TransactionRepositoryInProduction(pool as unknown as Pool, audit, true);
  const idempotency = new PgIdempotencyRepository(pool as unknown as Pool);
  const vault = new PersonalDataVault(randomBytes(32));
  const envelope = nrbEnvelope() as { citizen: Record<string, unknown>; payload: Record<string, unknown> };
  const now = new Date();
  const event = (type: string, data: Record<string, unknown>): NewAuditEvent => ({
    entityType: 'transaction',
    entityId: PLACEHOLDER_ID,
    type,
    actor: SCOPE,
    data,
    occurredAt: now,
  });
  const capture = async (work: () => Promise<unknown>, appendsEvents: boolean): Promise<Captured[]> => {
    const from = pool.statements.length;
    audit.lastShardParam = undefined;
    await work();
    const statements = pool.statements.slice(from);
    if (appendsEvents) statements[0].shardParam = audit.lastShardParam;
    return statements.slice(0, 1); // the follow-up reads only run when the first statement found nothing
  };

  const idempotent = { scope: SCOPE, key: PLACEHOLDER_KEY, route: 'POST /v1/transactions', fingerprint: 'x'.repeat(43) };
  const [claim] = await capture(() => idempotency.claim(idempotent, 120_000), false);
  const recorded: NewTransaction = {
    id: PLACEHOLDER_ID,
    serviceCode: 'id-card-replacement',
    agencyCode: 'nrb',
    channel: 'counter',
    centreCode: 'NRB-GPO',
    officerId: null,
    submittedBy: SCOPE,
    citizenIdHash: vault.lookupHash(String(envelope.citizen.idNumber)),
    citizenSealed: vault.seal(envelope.citizen),
    payloadSealed: vault.seal(envelope.payload),
    state: 'received',
    attempts: 1,
    maxAttempts: 8,
    nextAttemptAt: new Date(now.getTime() + 5000),
    idempotencyScope: SCOPE,
    idempotencyKey: PLACEHOLDER_KEY,
    requestHash: 'x'.repeat(43),
    fallback: null,
    provisionalRef: null,
    replayPending: false,
  };
  const [insert] = await capture(
    () => transactions.record(recorded, [event('received', { service: 'id-card-replacement', agency: 'nrb', channel: 'counter', centre: 'NRB-GPO' })]),
    true,
  );
  // The step the domain decides for an inline answer, written as DispatchAttempt writes it (AgencyCall.record).
  const claimed: Transaction = {
    ...recorded,
    agencyRef: null,
    result: null,
    lastError: null,
    replayedAt: null,
    manualOutcome: null,
    parkedReason: null,
    conflict: null,
    createdAt: now,
    updatedAt: now,
  };
  const accepted = { kind: 'accepted', agencyRef: 'NRB-2026-0000001', result: { reference: 'NRB-2026-0000001', collectionDate: '2026-12-01' } } as const;
  const step = nextState(claimed, accepted, { via: 'attempt', actor: SCOPE, sentAt: now, inline: true }, { now })!;
  const [apply] = await capture(() => transactions.apply(PLACEHOLDER_ID, step, { findDuplicateReference: true }), true);
  const [answer] = await capture(() => idempotency.answer(idempotent, { status: 200, body: options.storedBody }), false);

  // The claim also mints this transaction's ids (no extra round trip): its VALUES become a
  // SELECT of fresh ids, and RETURNING hands them to the next statements.
  const claimText = claim.text.replace(/\s+/g, ' ').trim();
  const claimShape = /^INSERT INTO idempotency_keys \(scope, key, route, request_hash\) VALUES \(\$1, \$2, \$3, \$4\) (ON CONFLICT \(scope, key\) DO NOTHING)$/;
  if (!claimShape.test(claimText)) throw new Error(`the idempotency claim changed shape; update bench/lib/submit-sql.ts:\n${claimText}`);
  const first =
    `INSERT INTO idempotency_keys (scope, key, route, request_hash) ` +
    `SELECT ${literal(SCOPE)}, g.idem_key, ${valueSql(claim.values[2])}, ${valueSql(claim.values[3])} ` +
    `FROM (SELECT gen_random_uuid()::text AS idem_key) g ON CONFLICT (scope, key) DO NOTHING ` +
    `RETURNING key AS idem_key, gen_random_uuid() AS txid \\gset`;
  const text = [
    `-- One POST /v1/transactions (agency answered inline): generated by bench/lib/submit-sql.ts from the repositories' SQL.`,
    `\\set shard random(0, ${options.shards - 1})`,
    first,
    `${toPgbench(insert)};`,
    `${toPgbench(apply)};`,
    `${toPgbench(answer)};`,
    '',
  ].join('\n');
  return { text, preparedByGateway: [claim, insert, apply, answer].filter((s) => s.name !== undefined).length };
}

function toPgbench(statement: Captured): string {
  const text = statement.text.replace(/\s*\n\s*/g, ' ').trim();
  return text.replace(/\$(\d+)/g, (_, digits: string) => {
    const n = Number(digits);
    if (statement.shardParam === n) return ':shard';
    return valueSql(statement.values[n - 1]);
  });
}

function valueSql(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value === PLACEHOLDER_ID) return ':txid';
  if (value === PLACEHOLDER_KEY) return ':idem_key';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (Buffer.isBuffer(value)) return `E'\\\\x${value.toString('hex')}'::bytea`;
  if (value instanceof Date) return literal(value.toISOString());
  if (Array.isArray(value)) return literal(`{${value.map(String).join(',')}}`);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.includes(PLACEHOLDER_ID)) {
    // The event content names the transaction: splice the variable into the literal.
    return `(${text
      .split(PLACEHOLDER_ID)
      .map(literal)
      .join(' || :txid || ')})`;
  }
  return literal(text);
}

/** An E'' literal pgbench leaves alone: backslashes doubled, quotes doubled, colons as \x3a. */
function literal(text: string): string {
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/:/g, '\\x3a')}'`;
}
