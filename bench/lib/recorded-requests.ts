/**
 * What one request costs the database and Redis, taken from the running process rather than from
 * the code: a few requests are sent one at a time while the process's statement probe records
 * (bench/lib/probe), and the statements every one of them sent — in order — are "the statements
 * of one request". Statements seen in only some of the windows (a cache refresh, a background
 * job of the same process) are listed apart. db-floor replays the recorded statements with
 * pgbench; the gateway, lean and breaker-open scenarios print them.
 */
import { randomUUID } from 'node:crypto';
import { withClient } from './database';
import { requestJson } from './http';
import type { Probe, RecordedStatement, Recording } from './probe/client';
import type { LoadRequest, RequestCost } from './scenario';

export interface RecordedRequest {
  recording: Recording;
  status: number;
  /** Values the request was given or answered with, to find them among the parameters. */
  idempotencyKey: string;
  transactionId?: string;
  agencyReference?: string;
  /** Date.now() when the request was sent. */
  sentAt: number;
}

export interface RecordedRequests {
  requests: RecordedRequest[];
  /** The statements every request sent, in the order of the first (with its parameters). */
  statements: RecordedStatement[];
  /** For each of `statements`, the same statement as every request sent it (index: request). */
  aligned: RecordedStatement[][];
  /** Statement texts (shortened) that only some of the requests sent. */
  occasional: string[];
  /** The Redis commands every request sent. */
  redis: string[];
  /** Rows each table gained per request, for the tables that gained a whole number per request. */
  rowsPerRequest: Record<string, number>;
}

/** Sends `count` requests one at a time, recording what `probe`'s process sends for each. */
export async function recordRequests(options: {
  probe: Probe;
  request: LoadRequest;
  databaseUrl: string;
  count: number;
  expectStatus: number;
}): Promise<RecordedRequests> {
  const { request } = options;
  await untilQuiet(options.probe);
  const before = await tableRows(options.databaseUrl);
  const requests: RecordedRequest[] = [];
  for (let i = 0; i < options.count; i++) {
    const idempotencyKey = `bench-recorded-${randomUUID()}`;
    const sentAt = Date.now();
    let answer: { status: number; body: { id?: string; agencyReference?: string | null } } | undefined;
    const recording = await options.probe.record(async () => {
      answer = await requestJson(`${request.url}${request.path}`, {
        method: request.method ?? 'POST',
        headers: { ...request.headers, 'idempotency-key': idempotencyKey },
        body: request.makeBody ? request.makeBody(i + 1) : request.body,
      });
    });
    if (!answer || answer.status !== options.expectStatus) {
      throw new Error(`while recording statements, ${request.path} answered ${answer?.status} (expected ${options.expectStatus}): ${JSON.stringify(answer?.body)}`);
    }
    requests.push({
      recording,
      status: answer.status,
      idempotencyKey,
      transactionId: answer.body.id,
      agencyReference: answer.body.agencyReference ?? undefined,
      sentAt,
    });
  }
  const after = await tableRows(options.databaseUrl);
  const rowsPerRequest: Record<string, number> = {};
  for (const [table, n] of Object.entries(after)) {
    const gained = n - (before[table] ?? 0);
    if (gained > 0 && gained % options.count === 0) rowsPerRequest[table] = gained / options.count;
  }
  return { requests, ...common(requests), rowsPerRequest };
}

/**
 * Until the process has sent no statement for a while: a load that just ended may still be working
 * off requests queued in the process, and those must not land in a recording.
 */
export async function untilQuiet(probe: Probe, options: { quietMs?: number; timeoutMs?: number } = {}): Promise<void> {
  const quietMs = options.quietMs ?? 750;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last = (await probe.counts()).statements;
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error(`the process kept sending statements for ${options.timeoutMs ?? 60_000} ms after the load stopped`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const now = (await probe.counts()).statements;
    if (now !== last) since = Date.now();
    last = now;
  }
}

/** Row counts of every table of the public schema (the bench database is small). */
export async function tableRows(databaseUrl: string): Promise<Record<string, number>> {
  return withClient(databaseUrl, async (client) => {
    const { rows: tables } = await client.query<{ name: string }>(`SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    if (tables.length === 0) return {};
    const { rows } = await client.query<Record<string, string>>(`SELECT ${tables.map((t, i) => `(SELECT count(*) FROM ${t.name}) AS c${i}`).join(', ')}`);
    return Object.fromEntries(tables.map((t, i) => [t.name, Number(rows[0][`c${i}`])]));
  });
}

/** The report's summary of a recording, with the per-response counts of a load window if there was one. */
export function requestCost(recorded: RecordedRequests, window?: Record<string, { statements: number; redis: number }>): RequestCost {
  return {
    statements: recorded.statements.length,
    prepared: recorded.statements.filter((s) => s.name !== undefined).length,
    redis: recorded.redis.length,
    statementList: recorded.statements.map((s) => `${s.name ? '(named) ' : ''}${shorten(s.text, 90)}`),
    redisList: recorded.redis,
    ...(window ? { window: Object.fromEntries(Object.entries(window).map(([label, w]) => [label, { statements: w.statements, redis: w.redis }])) } : {}),
  };
}

/** One figure per statement: its name (if prepared) and the start of its text. */
export function describeStatements(statements: readonly RecordedStatement[]): Array<{ label: string; value: string }> {
  return statements.map((s, i) => ({ label: `  statement ${i + 1}`, value: `${s.name ? '(named) ' : ''}${shorten(s.text)}` }));
}

export function shorten(text: string, length = 110): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

function common(requests: readonly RecordedRequest[]): Pick<RecordedRequests, 'statements' | 'aligned' | 'occasional' | 'redis'> {
  const [first] = requests;
  // How many times each text occurs in every request (the least of them).
  const least = new Map<string, number>();
  for (const statement of first.recording.statements) least.set(statement.text, (least.get(statement.text) ?? 0) + 1);
  for (const other of requests.slice(1)) {
    const counts = new Map<string, number>();
    for (const statement of other.recording.statements) counts.set(statement.text, (counts.get(statement.text) ?? 0) + 1);
    for (const [text, n] of least) least.set(text, Math.min(n, counts.get(text) ?? 0));
  }
  const statements: RecordedStatement[] = [];
  const aligned: RecordedStatement[][] = [];
  const taken = new Map<string, number>();
  for (const statement of first.recording.statements) {
    const occurrence = taken.get(statement.text) ?? 0;
    if (occurrence >= (least.get(statement.text) ?? 0)) continue;
    taken.set(statement.text, occurrence + 1);
    statements.push(statement);
    aligned.push(requests.map((r) => r.recording.statements.filter((s) => s.text === statement.text)[occurrence]));
  }
  const everywhere = new Set(statements.map((s) => s.text));
  const occasional = [...new Set(requests.flatMap((r) => r.recording.statements.map((s) => s.text)).filter((text) => !everywhere.has(text) || (least.get(text) ?? 0) < maxCount(requests, text)))].map(
    (text) => shorten(text, 80),
  );
  const redis = commonCommands(requests.map((r) => r.recording.redis));
  return { statements, aligned, occasional, redis };
}

function maxCount(requests: readonly RecordedRequest[], text: string): number {
  return Math.max(...requests.map((r) => r.recording.statements.filter((s) => s.text === text).length));
}

/** The commands every list has (as a multiset), in the first list's order. */
function commonCommands(lists: readonly string[][]): string[] {
  const least = new Map<string, number>();
  for (const command of lists[0]) least.set(command, (least.get(command) ?? 0) + 1);
  for (const list of lists.slice(1)) for (const [command, n] of least) least.set(command, Math.min(n, list.filter((c) => c === command).length));
  const result: string[] = [];
  for (const command of lists[0]) {
    const left = least.get(command) ?? 0;
    if (left === 0) continue;
    least.set(command, left - 1);
    result.push(command);
  }
  return result;
}
