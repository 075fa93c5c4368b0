/**
 * The one way the code base talks to PostgreSQL: a `pg` Pool, and transactions that retry
 * the failures PostgreSQL asks us to retry. The same code runs on a real PostgreSQL and on
 * the embedded PGlite (gateway/src/embedded/pglite-server.ts), which speaks the same wire protocol.
 */
import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type QueryConfig } from 'pg';

/** Anything that can run a query: the pool itself, or a client inside a transaction. */
export type Queryable = Pool | PoolClient;

/**
 * SQLSTATE codes the code base reacts to, named as in PostgreSQL's "Errcodes" appendix
 * so that a grep for the documented name finds the handler.
 */
export const PG_ERROR = {
  not_null_violation: '23502',
  foreign_key_violation: '23503',
  unique_violation: '23505',
  check_violation: '23514',
  exclusion_violation: '23P01',
  serialization_failure: '40001',
  deadlock_detected: '40P01',
  lock_not_available: '55P03',
  object_in_use: '55006',
  query_canceled: '57014',
  admin_shutdown: '57P01',
  undefined_table: '42P01',
} as const;

export type PgErrorCode = (typeof PG_ERROR)[keyof typeof PG_ERROR];

/** The SQLSTATE of an error thrown by `pg`, or undefined for anything else. */
export function pgErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  // Node's own errors (ECONNREFUSED…) also carry `code`; SQLSTATEs are exactly 5 characters.
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function isPgError(error: unknown, code: PgErrorCode): boolean {
  return pgErrorCode(error) === code;
}

/** The constraint a unique / foreign-key / check violation names, to map it to a domain error. */
export function pgConstraint(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('constraint' in error)) return undefined;
  const constraint = (error as { constraint: unknown }).constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

export interface PoolOptions {
  url: string;
  max: number;
  /** Shows in pg_stat_activity, so an operator can tell api from worker connections. */
  applicationName: string;
  statementTimeoutMs?: number;
  /**
   * How long a caller waits for a free connection before failing. Without it, code that asks
   * the pool for a second connection while holding the only one would hang forever.
   */
  connectionTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** A connection older than this is closed once it is idle and replaced on demand; 0 or absent: never. */
  maxLifetimeSeconds?: number;
  /** Called when an idle connection dies (PostgreSQL restarted, network cut). Default: console.warn. */
  onIdleClientError?: (error: Error) => void;
}

export function createPool(options: PoolOptions): Pool {
  const pool = new Pool({
    connectionString: options.url,
    max: options.max,
    application_name: options.applicationName,
    statement_timeout: options.statementTimeoutMs,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    maxLifetimeSeconds: options.maxLifetimeSeconds ?? 0,
  });
  const onIdleClientError =
    options.onIdleClientError ??
    ((error: Error) => console.warn(`[db] idle connection of ${options.applicationName} failed: ${error.message}`));
  // Without a listener, an idle client's error is an unhandled 'error' event and kills the
  // process; the pool already drops the broken client and opens a new one on demand.
  pool.on('error', onIdleClientError);
  return pool;
}

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  /** Extra attempts after the first one when PostgreSQL reports 40001 or 40P01. */
  retries?: number;
  isolation?: IsolationLevel;
}

const RETRYABLE: ReadonlySet<string> = new Set([PG_ERROR.serialization_failure, PG_ERROR.deadlock_detected]);

/**
 * Runs `work` inside BEGIN … COMMIT on one client. On a serialization failure or a deadlock
 * the whole of `work` runs again (after a short jittered wait, so the two losers of a race do
 * not collide again), so `work` must have no effect outside the database.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  { retries = 3, isolation }: TransactionOptions = {},
): Promise<T> {
  const begin = isolation ? `BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}` : 'BEGIN';
  for (let attempt = 0; ; attempt++) {
    try {
      return await runOnce(pool, begin, work);
    } catch (error) {
      const code = pgErrorCode(error);
      if (attempt >= retries || code === undefined || !RETRYABLE.has(code)) throw error;
      await sleep(jitteredBackoffMs(attempt));
    }
  }
}

async function runOnce<T>(pool: Pool, begin: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // pg-pool listens for a checked-out client's 'error' only while it is idle; a connection that
  // dies mid-transaction (PostgreSQL restarted) would otherwise emit an unhandled 'error' and end
  // the process. Keep the error: the client is destroyed on release, the caller sees its query fail.
  const onConnectionError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onConnectionError);
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      // The connection is unusable (killed, network cut): destroy it rather than pool it.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.removeListener('error', onConnectionError);
    client.release(broken);
  }
}

function jitteredBackoffMs(attempt: number): number {
  const base = 10 * 2 ** attempt;
  return base + Math.floor(Math.random() * base);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * True on the embedded PGlite, where every connection is one shared session (no second snapshot,
 * no prepared statement under the same name twice; see gateway/src/embedded/pglite-server.ts).
 */
export async function isEmbeddedEngine(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ version: string }>('SELECT version()');
  return /PGlite/i.test(rows[0]?.version ?? '');
}

const UNREACHABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * True when the database could not be reached or went away mid-query (restart, failover, pool
 * timeout): worth a 503 and a retry, not a 500. SQLSTATE classes 08 (connection exception) and
 * 57P (operator intervention), Node's socket errors, and pg's own connection messages.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const sqlState = pgErrorCode(error);
  if (sqlState) return sqlState.startsWith('08') || sqlState.startsWith('57P') || sqlState === '53300';
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNREACHABLE_NODE_CODES.has(code)) return true;
  const message = (error as { message?: unknown }).message;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed/i.test(message)
  );
}

/**
 * Prepared names are kept for at most this many texts (a few hundred shapes are met; a text is a
 * few KB). Past it the text kept longest is dropped: its name is its text's hash, so it is named the
 * same when it comes back, and pg, which prepares per connection by name, finds it prepared already.
 */
export const MAX_STATEMENT_NAMES = 1024;

const statementNames = new Map<string, string>();

/**
 * A query as a named (server-side prepared) statement when `prepared` is on: PostgreSQL then
 * parses and plans the text once per connection instead of on every call, which matters for the
 * hot CTE statements of a transaction submit. Off for the embedded database, where every pooled
 * connection shares one session and a name prepared twice is an error.
 */
export function statement(text: string, values: unknown[], prepared: boolean): QueryConfig {
  if (!prepared) return { text, values };
  let name = statementNames.get(text);
  if (!name) {
    name = `k_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (statementNames.size >= MAX_STATEMENT_NAMES) statementNames.delete(statementNames.keys().next().value as string);
    statementNames.set(text, name);
  }
  return { name, text, values };
}

/** How many texts' prepared names are kept now (at most MAX_STATEMENT_NAMES). */
export function statementNamesKept(): number {
  return statementNames.size;
}

/**
 * A time as the text of a `timestamptz` parameter: its ISO 8601 form in UTC, the same instant pg
 * writes for a Date in the process's zone (`dateToString`). pg builds that text from eleven padded
 * pieces, ~600 bytes per Date against 40 for toISOString: a submit sends three (issue 13). Only for
 * parameters the statement casts to timestamptz (a `timestamp` without zone would read the UTC
 * clock time instead of the local one). An invalid Date goes to pg as it is, which refuses it as before,
 * and so does one outside years 1 to 9999: toISOString writes those as `0000`, `-000001` or `+010000`,
 * which PostgreSQL refuses, while pg writes them as it reads them (BC, five digits).
 */
export function timestamptzParam(date: Date | null | undefined): string | Date | null | undefined {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return date;
  const iso = date.toISOString();
  return iso.length === 24 && !iso.startsWith('0000') ? iso : date;
}

const textArrays = new WeakMap<readonly (string | null)[], string>();

/**
 * A frozen list of strings as the text of a `text[]` parameter, the text pg writes for an array
 * (`arrayString`: each element quoted, its `\` and `"` escaped, null as NULL), written once per list
 * instead of on every call (issue 13). Any other array goes to pg as it is: one that is not frozen
 * may change after its text was kept.
 */
export function textArrayParam(list: readonly (string | null)[]): readonly (string | null)[] | string {
  if (!Object.isFrozen(list)) return list;
  let text = textArrays.get(list);
  if (text === undefined) textArrays.set(list, (text = textArrayLiteral(list)));
  return text;
}

function textArrayLiteral(list: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += ',';
    const item = list[i];
    out += item == null ? 'NULL' : `"${item.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
  return `${out}}`;
}

/**
 * Statement texts made once per shape and then handed out as the same string, so that no SQL is
 * built per call and `statement()` finds the prepared name without hashing a fresh text (issue 13).
 * A shape is a small form key (which optional CTEs the text holds) and the audit chain's CTEs,
 * which `AuditLog.chainCtes` hands out as the same string per shape of events: looked up as they
 * are, their hash already computed. Bounded: past `limit` texts per form, a text is made each time
 * and not kept (a cap on growth; the shapes a repository meets are few).
 */
export class StatementTexts {
  private readonly byForm = new Map<string | number, Map<string, string>>();

  constructor(private readonly limit: number) {}

  text(form: string | number, chain: string, make: () => string): string {
    let byChain = this.byForm.get(form);
    if (!byChain) this.byForm.set(form, (byChain = new Map()));
    const known = byChain.get(chain);
    if (known !== undefined) return known;
    const made = make();
    if (byChain.size < this.limit) byChain.set(chain, made);
    return made;
  }
}
