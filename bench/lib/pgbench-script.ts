/**
 * A pgbench script that replays the statements one request sent (bench/lib/recorded-requests.ts),
 * with fresh values where the request had its own: the database doing exactly the gateway's SQL,
 * and nothing else. Each parameter of each statement, compared over the recorded requests, is
 * - the same every time: a pgbench variable (`-D cI_N=value`), sent as an untyped text parameter
 *   as `pg` sends it;
 * - the request's transaction id, idempotency key or agency reference (or a text holding them, e.g.
 *   an audit event's content): minted per pgbench transaction (the id a UUIDv7 as the gateway's, the
 *   others gen_random_uuid()), so no unique
 *   index and no duplicate-reference look-up sees the same value twice;
 * - the audit chain shard (shardOf(transaction id)): `\set shard random(0, shards - 1)`;
 * - a time: now() plus the offset it had from the moment the request was sent (a due time in the
 *   past would hand pgbench's rows to the worker's sweeper);
 * - anything else that varied (sealed personal data, hashes): the first request's value, listed.
 * The ids are minted inside the first statement (wrapped so that it returns them for `\gset`), so
 * pgbench sends as many statements as the gateway did; when the first statement cannot be wrapped
 * (a utility command, a nested WITH), one extra minting statement goes first and a note says so.
 */
import { shardOf } from '../../core/audit/audit-event';
import { withClient } from './database';
import type { WireValue } from './probe/client';
import { spawnManaged } from './processes';
import { shorten, type RecordedRequests } from './recorded-requests';
import { REPO_ROOT } from './repo';

export interface PgbenchScript {
  text: string;
  /** pgbench `-D name=value` variables. */
  variables: Record<string, string>;
  /** `-M prepared` when the gateway prepared any of its statements, else `-M extended`. */
  mode: 'prepared' | 'extended';
  /** Statements per request the gateway sent, and how many of them as named prepared statements. */
  statements: number;
  prepared: number;
  /** Statements pgbench sends per transaction beyond the gateway's (0, or 1 when ids need their own statement). */
  extra: number;
  notes: string[];
}

type Minted = 'txid' | 'idem_key' | 'agency_ref';

type Param =
  | { kind: 'null' }
  | { kind: 'constant'; wire: string; varied: boolean }
  | { kind: 'minted'; name: Minted }
  | { kind: 'template'; template: string }
  | { kind: 'time'; offsetMs: number }
  | { kind: 'shard' };

const TOKENS: Record<Minted, string> = { txid: '@@bench-txid@@', idem_key: '@@bench-idempotency-key@@', agency_ref: '@@bench-agency-ref@@' };
/** The transaction id as the gateway makes it (core/shared/uuid.ts): a UUIDv7, the clock's milliseconds then random bits. */
const MINT_TXID =
  `(SELECT substr(t, 1, 8) || '-' || substr(t, 9, 4) || '-7' || substr(r, 16, 3) || '-' || substr(r, 20, 4) || '-' || substr(r, 25, 12) ` +
  `FROM (SELECT lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') AS t, gen_random_uuid()::text AS r) v)`;
const MINT =
  `SELECT ${MINT_TXID} AS txid, 'bench-floor-' || gen_random_uuid() AS idem_key, ` +
  `'REF-' || replace(gen_random_uuid()::text, '-', '') AS agency_ref`;
const TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}/;

/** pgbench's arguments to run a script file with its `-D` variables; `run`: `['-T', seconds]` or `['-t', transactions per client]`. */
export function pgbenchArgs(options: {
  scriptFile: string;
  variables: Record<string, string>;
  mode: PgbenchScript['mode'];
  clients: number;
  run: ['-T' | '-t', number];
  /** Per-transaction latency log files (`-l`). */
  logPrefix?: string;
  databaseUrl: string;
}): string[] {
  return [
    '-n', // no vacuum of pgbench's own tables: there are none
    '-M',
    options.mode,
    '-c',
    String(options.clients),
    '-j',
    '2',
    ...options.run.map(String),
    '-f',
    options.scriptFile,
    ...Object.entries(options.variables).flatMap(([name, value]) => ['-D', `${name}=${value}`]),
    ...(options.logPrefix ? ['-l', '--log-prefix', options.logPrefix] : []),
    options.databaseUrl,
  ];
}

/** Runs pgbench; its output, or an error ending with it (`where`: e.g. where the script is). */
export function runPgbench(binary: string, args: string[], where: string): Promise<string> {
  const managed = spawnManaged('pgbench', binary, args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, PGAPPNAME: 'kiungo-bench-pgbench' } });
  return new Promise((resolve, reject) => {
    managed.child.once('exit', (code) => {
      const output = managed.output();
      if (code === 0) resolve(output);
      else reject(new Error(`pgbench exited with ${code} (${where}):\n${output.slice(-3000)}`));
    });
  });
}

/** The transactions pgbench ran, from its summary. */
export function processedOf(output: string): number {
  return Number(/number of transactions actually processed: (\d+)/.exec(output)?.[1] ?? NaN);
}

export async function replayScript(recorded: RecordedRequests, options: { databaseUrl: string }): Promise<PgbenchScript> {
  const { statements, aligned, requests } = recorded;
  if (statements.length === 0) throw new Error('the recorded requests sent no statement in common: nothing to replay');
  const shards = await chainShards(options.databaseUrl);
  const notes: string[] = [];
  const variables: Record<string, string> = {};
  const mintedColumns: string[] = [];

  const params = statements.map((statement, i) =>
    statement.values.map((_, n) => classify(aligned[i].map((s) => s.values[n]), requests, shards)),
  );
  // References to each parameter, as pgbench variables (every statement but a wrapped first one);
  // once per parameter, however often its statement uses it.
  const refs = new Map<string, string>();
  const variableRef = (i: number, n: number): string => {
    const key = `${i}_${n}`;
    if (!refs.has(key)) refs.set(key, defineRef(i, n));
    return refs.get(key)!;
  };
  const defineRef = (i: number, n: number): string => {
    const param = params[i][n];
    switch (param.kind) {
      case 'null':
        return 'NULL';
      case 'constant':
        variables[`c${i}_${n + 1}`] = param.wire;
        if (param.varied) notes.push(`statement ${i + 1} parameter $${n + 1} varied between requests; replayed as the first one's value (${shorten(param.wire, 40)})`);
        return `:c${i}_${n + 1}`;
      case 'minted':
        return `:${param.name}`;
      case 'template':
        variables[`t${i}_${n + 1}`] = param.template;
        mintedColumns.push(
          `${Object.entries(TOKENS)
            .filter(([, token]) => param.template.includes(token))
            .reduce((sql, [name, token]) => `replace(${sql}, '${token}', t.${name})`, `:t${i}_${n + 1}::text`)} AS v${i}_${n + 1}`,
        );
        return `:v${i}_${n + 1}`;
      case 'time':
        mintedColumns.push(`(now() + ${param.offsetMs.toFixed(3)} * interval '1 millisecond')::text AS v${i}_${n + 1}`);
        return `:v${i}_${n + 1}`;
      case 'shard':
        return ':shard';
    }
  };

  const body = statements.map((statement, i) => (i === 0 ? '' : `${substitute(statement.text, (n) => variableRef(i, n - 1))};`));
  // The first statement: wrapped so that it also mints this transaction's values.
  const first = statements[0];
  const verb = /^\s*(\w+)/.exec(first.text)?.[1]?.toLowerCase() ?? '';
  const types = await parameterTypes(options.databaseUrl, first.text);
  const mintedRef = (n: number, column: (name: string) => string): string => {
    const param = params[0][n - 1];
    const typed = (sql: string): string => `${sql}::${types?.[n - 1] ?? 'text'}`;
    if (param.kind === 'minted') return typed(column(param.name));
    if (param.kind === 'template' || param.kind === 'time') {
      variableRef(0, n - 1); // defines the minted column
      return typed(column(`v0_${n}`));
    }
    return variableRef(0, n - 1);
  };
  const minting = (): string => `SELECT t.*${mintedColumns.map((c) => `, ${c}`).join('')} FROM (${MINT}) t`;
  let extra = 0;
  let firstLine: string;
  if (verb === 'select' && types) {
    const wrapped = substitute(first.text, (n) => mintedRef(n, (name) => `m.${name}`));
    firstLine = `SELECT m.*, (SELECT count(*) FROM (${wrapped}) AS first_statement) AS first_rows FROM (${minting()}) m \\gset`;
  } else if ((verb === 'insert' || verb === 'update' || verb === 'delete') && types) {
    const wrapped = substitute(first.text, (n) => mintedRef(n, (name) => `(SELECT ${name} FROM m)`));
    firstLine = `WITH m AS (${minting()}), first_statement AS (${wrapped}) SELECT m.* FROM m \\gset`;
  } else {
    extra = 1;
    const own = `${substitute(first.text, (n) => variableRef(0, n - 1))};`;
    firstLine = `${minting()} \\gset\n${own}`;
    notes.push(`the first statement (${verb || 'unknown'}) cannot carry the ids, so pgbench sends one extra statement per transaction to mint them`);
  }

  const script = [
    `-- One request as the gateway sent it (${statements.length} statements), recorded by bench/lib/probe and replayed by bench/lib/pgbench-script.ts.`,
    ...(shards ? [`\\set shard random(0, ${shards - 1})`] : []),
    firstLine,
    ...body.slice(1),
    '',
  ].join('\n');
  checkVariables(script, new Set([...Object.keys(variables), 'txid', 'idem_key', 'agency_ref', 'shard', ...mintedColumns.map((c) => /AS (\w+)$/.exec(c)![1])]));
  const prepared = statements.filter((s) => s.name !== undefined).length;
  return { text: script, variables, mode: prepared > 0 ? 'prepared' : 'extended', statements: statements.length, prepared, extra, notes: [...new Set(notes)] };
}

/** `$n` → whatever `ref(n)` says (the texts come from our repositories: no dollar-quoted strings). */
function substitute(text: string, ref: (n: number) => string): string {
  return text.replace(/\$(\d+)/g, (_, digits: string) => ref(Number(digits)));
}

function classify(values: readonly WireValue[], requests: RecordedRequests['requests'], shards: number | undefined): Param {
  const texts = values.map(wireText);
  if (texts.every((t) => t === null)) return { kind: 'null' };
  if (texts.every((t) => t === texts[0])) return { kind: 'constant', wire: texts[0]!, varied: false };
  const own = (k: number): Record<Minted, string | undefined> => ({
    txid: requests[k].transactionId,
    idem_key: requests[k].idempotencyKey,
    agency_ref: requests[k].agencyReference,
  });
  for (const name of Object.keys(TOKENS) as Minted[]) {
    if (texts.every((t, k) => t !== null && t === own(k)[name])) return { kind: 'minted', name };
  }
  if (texts.every((t, k) => t !== null && Object.values(own(k)).some((v) => v && t.includes(v)))) {
    let template = texts[0]!;
    for (const name of Object.keys(TOKENS) as Minted[]) {
      const value = own(0)[name];
      if (value) template = template.split(value).join(TOKENS[name]);
    }
    return { kind: 'template', template };
  }
  if (shards && texts.every((t, k) => t !== null && /^\d+$/.test(t) && Number(t) < shards && (!requests[k].transactionId || Number(t) === shardOf(requests[k].transactionId!, shards)))) {
    return { kind: 'shard' };
  }
  if (texts.every((t) => t !== null && TIME.test(t) && !Number.isNaN(Date.parse(t)))) {
    const offsets = texts.map((t, k) => Date.parse(t!) - requests[k].sentAt).sort((a, b) => a - b);
    return { kind: 'time', offsetMs: offsets[Math.floor(offsets.length / 2)] };
  }
  return { kind: 'constant', wire: texts.find((t) => t !== null)!, varied: true };
}

function wireText(value: WireValue | undefined): string | null {
  if (!value || 'null' in value) return null;
  return 'hex' in value ? `\\x${value.hex}` : value.text;
}

async function chainShards(databaseUrl: string): Promise<number | undefined> {
  return withClient(databaseUrl, async (client) => {
    const exists = await client.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'audit_chain_heads'`);
    if (exists.rowCount !== 1) return undefined;
    return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM audit_chain_heads')).rows[0].n);
  });
}

/** The parameter types PostgreSQL infers for a statement (PREPARE, read back, DEALLOCATE), or undefined. */
async function parameterTypes(databaseUrl: string, text: string): Promise<string[] | undefined> {
  return withClient(databaseUrl, async (client) => {
    try {
      await client.query(`PREPARE bench_parameter_types AS ${text}`);
      const { rows } = await client.query<{ types: string[] }>(`SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = 'bench_parameter_types'`);
      await client.query('DEALLOCATE bench_parameter_types');
      return rows[0]?.types;
    } catch {
      return undefined;
    }
  });
}

/** pgbench reads `:name` anywhere in a command (`::` casts aside): each must be a variable we set. */
function checkVariables(script: string, known: ReadonlySet<string>): void {
  const unknown = new Set<string>();
  for (const line of script.split('\n')) {
    if (line.startsWith('--') || line.startsWith('\\set')) continue;
    for (const match of line.matchAll(/(^|[^:]):([A-Za-z_][A-Za-z0-9_]*)/g)) if (!known.has(match[2])) unknown.add(match[2]);
  }
  if (unknown.size > 0) {
    throw new Error(`a recorded statement holds ${[...unknown].map((n) => `:${n}`).join(', ')}, which pgbench would read as variables; the replay cannot run it`);
  }
}
