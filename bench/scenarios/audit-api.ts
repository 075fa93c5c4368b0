/**
 * `audit-api`: what issue 9 asks of the auditors' API, each figure beside a baseline from the same run.
 * - First page (50 rows) of every auditor filter, through the very statements of the API
 *   (core/audit/pg/audit-queries.pg.ts), on 10 million transactions and 10 million events
 *   (BENCH_AUDIT_ROWS; 1,000,000 by default, 100,000 with --quick; seeded once and reused):
 *   p50 / p95 per filter; baseline: the first page of the primary key (no filter at all).
 * - Export: the events of a time window streamed as CSV by the API's own code (ReadAudit keyset
 *   pages → CSV) into a counting sink, rows/s, the process's RSS and V8 heap before, at peak and
 *   (heap) after a full GC;
 *   baseline: `psql \copy (the same SELECT) TO /dev/null` (PostgreSQL's own COPY, no Node at all).
 * - Verify: AuditLog.verify over a valid chain of BENCH_AUDIT_CHAIN events (1,000,000; 100,000
 *   with --quick; seeded once), events/s, in its default worker threads and then in one thread;
 *   baseline: sha256 in Node over the same bytes (the chain hash of every event, content already
 *   built), i.e. the floor of any verifier in one Node thread.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Pool } from 'pg';
import { chainHash, eventContent, genesisHash, shardOf } from '../../core/audit/audit-event';
import { AuditLog, DEFAULT_VERIFY_WORKERS } from '../../core/audit/audit-log';
import type { AuditEventFilter, AuditTransactionFilter } from '../../core/audit/audit-queries';
import { PgAuditQueries } from '../../core/audit/pg/audit-queries.pg';
import { ReadAudit } from '../../core/audit/use-cases/read-audit';
import { migrate } from '../../core/db/migrate';
import { PersonalDataVault } from '../../core/shared/personal-data';
import { EVENT_LINES, exportStream } from '../../gateway/src/audit/audit-export';
import { AUDIT_SPAN_DAYS, auditSeedSize, ensureAuditDatabase } from '../lib/audit-seed';
import { migrateReused, withClient, withDatabaseName } from '../lib/database';
import { loadAverage } from '../lib/environment';
import { loadFromSamples, summarizeLatencies } from '../lib/latency';
import type { Scenario } from '../lib/scenario';

const FULL_CHAIN = 1_000_000;
const QUICK_CHAIN = 100_000;
const PAGE = 50;
const SAMPLES = 40;
const AGENCIES = ['nrb', 'kra', 'dci', 'sha', 'brs', 'ntsa'];
const SERVICES = ['id-card-replacement', 'kra-pin-registration', 'good-conduct', 'sha-registration', 'business-name-search', 'driving-licence-renewal'];
const CENTRES = ['NRB-GPO', 'NRB-CSQ', 'MSA-CBD', 'KSM-CBD', 'NKU-CBD', 'ELD-CBD'];
const CHANNELS = ['counter', 'portal', 'mobile', 'ussd', 'call-centre', 'outreach', 'kiosk'];
const STATES = ['completed', 'rejected', 'manual', 'retrying', 'parked'];
const AUDITOR = { subject: 'bench-auditor', roles: ['auditor'] };

export const auditApi: Scenario = {
  name: 'audit-api',
  summary: 'auditor API on 1M transactions + 1M events (BENCH_AUDIT_ROWS=10000000 for 10M): first page per filter; export rows/s vs psql COPY; verify events/s vs sha256',
  async run(ctx) {
    const { rows, name } = auditSeedSize(ctx.settings.quick);
    const seed = await ensureAuditDatabase(ctx.settings.adminDatabaseUrl, name, rows, ctx.log);
    await ensureTransactions(seed.databaseUrl, rows, seed.startsAt, ctx.log);
    const pool = new Pool({ connectionString: seed.databaseUrl, max: 2, application_name: 'kiungo-bench-audit-api' });
    const queries = new PgAuditQueries(pool);
    const random = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)];
    const day = () => {
      const from = new Date(seed.startsAt.getTime() + Math.floor(Math.random() * (AUDIT_SPAN_DAYS - 1)) * 86_400_000);
      return { from, to: new Date(from.getTime() + 86_400_000) };
    };
    const figures: Array<{ label: string; value: string }> = [];
    const allPages: number[] = [];
    let pagesSeconds = 0;
    const checks: Array<{ label: string; ok: boolean; detail: string }> = [];
    try {
      // --- first pages ---
      const timed = async (run: () => Promise<unknown[]>) => {
        const ms: number[] = [];
        const startedAt = performance.now();
        let empty = 0;
        for (let i = 0; i < SAMPLES; i++) {
          const started = performance.now();
          const found = await run();
          ms.push(performance.now() - started);
          if (found.length === 0) empty++;
        }
        const s = summarizeLatencies(ms);
        allPages.push(...ms);
        pagesSeconds += (performance.now() - startedAt) / 1000;
        return { p50: s.p50, p95: percentile(ms, 0.95), empty };
      };
      const baseline = await timed(async () => (await pool.query(`SELECT id FROM transactions ORDER BY id LIMIT ${PAGE + 1}`)).rows);
      figures.push({ label: 'first page baseline: primary key, no filter — p50 / p95 ms', value: `${baseline.p50.toFixed(2)} / ${baseline.p95.toFixed(2)}` });
      const transactionFilters: Record<string, () => AuditTransactionFilter> = {
        agency: () => ({ agency: random(AGENCIES) }),
        service: () => ({ service: random(SERVICES) }),
        centre: () => ({ centre: random(CENTRES) }),
        channel: () => ({ channel: random(CHANNELS) }),
        officer: () => ({ officer: `officer-${Math.floor(Math.random() * 2000)}` }),
        state: () => ({ state: random(STATES) }),
        'time range (one day)': () => day(),
        citizen: () => ({ citizenIdHash: `citizen-${Math.floor(Math.random() * (rows / 2))}` }),
        'agency + state + day': () => ({ agency: random(AGENCIES), state: random(STATES), ...day() }),
      };
      let worst = 0;
      for (const [label, filter] of Object.entries(transactionFilters)) {
        const result = await timed(() => queries.transactions(filter(), undefined, PAGE + 1));
        worst = Math.max(worst, result.p95);
        figures.push({ label: `first page, transactions by ${label} — p50 / p95 ms`, value: `${result.p50.toFixed(2)} / ${result.p95.toFixed(2)}${result.empty ? ` (${result.empty} empty)` : ''}` });
      }
      const eventFilters: Record<string, () => Omit<AuditEventFilter, 'agency'>> = {
        'administrative (default)': () => ({}),
        type: () => ({ entityType: 'transaction', type: random(['received', 'dispatched', 'completed', 'retrying']) }),
        actor: () => ({ entityType: 'transaction', actor: `officer-${Math.floor(Math.random() * 500)}` }),
        'entity type + day': () => ({ entityType: random(['booking', 'ticket', 'transaction']), ...day() }),
      };
      for (const [label, filter] of Object.entries(eventFilters)) {
        const result = await timed(() => queries.events(filter(), undefined, PAGE + 1));
        worst = Math.max(worst, result.p95);
        figures.push({ label: `first page, events by ${label} — p50 / p95 ms`, value: `${result.p50.toFixed(2)} / ${result.p95.toFixed(2)}${result.empty ? ` (${result.empty} empty)` : ''}` });
      }
      figures.push({ label: 'first page: worst p95 of any filter (target ≤ 50 ms)', value: `${worst.toFixed(2)} ms` });

      // --- export ---
      const read = new ReadAudit(queries, await AuditLog.open(pool), pool, new PersonalDataVault(Buffer.alloc(32, 1)));
      const window = { from: seed.startsAt, to: new Date(seed.startsAt.getTime() + Math.ceil((AUDIT_SPAN_DAYS * 86_400_000 * Math.min(rows, 500_000)) / rows)) };
      const filter = { entityType: 'transaction', from: window.from, to: window.to };
      collectGarbage();
      const exportLoad = loadAverage();
      const exportCpu = watchCpu(name);
      const { rss: rssBefore, heapUsed: heapBefore } = process.memoryUsage();
      let rssPeak = rssBefore;
      let heapPeak = heapBefore;
      const sampler = setInterval(() => {
        const now = process.memoryUsage();
        rssPeak = Math.max(rssPeak, now.rss);
        heapPeak = Math.max(heapPeak, now.heapUsed);
      }, 50);
      let exported = 0;
      let bytes = 0;
      const started = performance.now();
      await pipeline(
        exportStream(read.exportEvents(AUDITOR, filter), EVENT_LINES, 'csv', () => exported++),
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            done();
          },
        }),
      );
      const exportSeconds = (performance.now() - started) / 1000;
      const exportCpuUsed = exportCpu.stop();
      clearInterval(sampler);
      // What the export still holds once it is over: garbage not yet collected is not memory kept.
      collectGarbage();
      const heapAfter = process.memoryUsage().heapUsed;
      const copySeconds = await psqlCopySeconds(
        seed.databaseUrl,
        `SELECT shard, seq, entity_type, entity_id, type, actor, data, occurred_at, encode(prev_hash, 'hex'), encode(hash, 'hex') FROM audit_events
          WHERE entity_type = 'transaction' AND occurred_at >= '${window.from.toISOString()}' AND occurred_at < '${window.to.toISOString()}'
          ORDER BY occurred_at DESC, shard DESC, seq DESC`,
      );
      figures.push({
        label: 'export: events as CSV through the API code — rows/s (rows, MB)',
        value: `${Math.round(exported / exportSeconds).toLocaleString('en')} (${exported.toLocaleString('en')}, ${(bytes / 1e6).toFixed(1)} MB in ${exportSeconds.toFixed(1)} s)`,
      });
      figures.push({ label: 'export baseline: psql \\copy of the same rows — rows/s', value: copySeconds === null ? 'psql not installed' : `${Math.round(exported / copySeconds).toLocaleString('en')} (${copySeconds.toFixed(1)} s)` });
      const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
      figures.push({
        label: 'export: RSS before → peak during; V8 heap used before → peak during → after a full GC (flat memory: the last equals the first)',
        value: `${mib(rssBefore)} → ${mib(rssPeak)} MiB; heap ${mib(heapBefore)} → ${mib(heapPeak)} → ${mib(heapAfter)} MiB`,
      });
      figures.push({ label: 'export: CPU per row, this process (Node) / its PostgreSQL backends — µs (load average at start)', value: describeCpuPer(exportCpuUsed, exported, exportLoad) });
      checks.push({ label: 'the export streamed every row of its window', ok: exported > 0, detail: `${exported} rows` });
    } finally {
      await pool.end();
    }

    // --- verify ---
    const chainRows = Number(process.env.BENCH_AUDIT_CHAIN ?? (ctx.settings.quick ? QUICK_CHAIN : FULL_CHAIN));
    const chain = await ensureChainDatabase(ctx.settings.adminDatabaseUrl, chainRows, ctx.log);
    const chainPool = new Pool({ connectionString: chain.databaseUrl, max: 1, application_name: 'kiungo-bench-verify' });
    try {
      const audit = await AuditLog.open(chainPool);
      // Today's default (DEFAULT_VERIFY_WORKERS threads), then one thread: the walk before the split, same run.
      for (const workers of [DEFAULT_VERIFY_WORKERS, 1]) {
        const how = workers === 1 ? 'one thread' : `${workers} worker threads`;
        const verifyLoad = loadAverage();
        const verifyCpu = watchCpu(chain.name);
        const started = performance.now();
        const report = await audit.verify(chainPool, { workers });
        const verifySeconds = (performance.now() - started) / 1000;
        const verifyCpuUsed = verifyCpu.stop();
        figures.push({ label: `verify (${how}): AuditLog.verify over a valid chain — events/s`, value: `${Math.round(report.eventsChecked / verifySeconds).toLocaleString('en')} (${report.eventsChecked.toLocaleString('en')} in ${verifySeconds.toFixed(1)} s)` });
        figures.push({ label: `verify (${how}): CPU per event, this process (Node, all threads) / its PostgreSQL backends — µs (load average at start)`, value: describeCpuPer(verifyCpuUsed, report.eventsChecked, verifyLoad) });
        checks.push({ label: `the seeded chain verifies (${how})`, ok: report.ok && report.eventsChecked === chainRows, detail: `${report.breaks.length} breaks, ${report.eventsChecked} events` });
      }
      const hashing = hashOnlySeconds(chainRows);
      figures.push({ label: 'verify baseline: sha256 in Node over the same bytes (one thread) — events/s', value: `${Math.round(chainRows / hashing).toLocaleString('en')}` });
    } finally {
      await chainPool.end();
    }

    return {
      target: `${name}: ${rows.toLocaleString('en')} transactions and audit events; a valid chain of ${chainRows.toLocaleString('en')} events`,
      // The table row: every first page of every filter, one at a time.
      load: loadFromSamples({ samples: allPages, elapsedSec: pagesSeconds, concurrency: 1, ok: allPages.length }),
      figures,
      checks,
      notes: [
        'First pages are timed one at a time (no concurrency), each with a random value of its filter, through PgAuditQueries: the statements GET /v1/audit/transactions and /events run.',
        'The export runs in this process: RSS and V8 heap before, at peak and (heap) after a full GC; memory is flat when the heap after equals the heap before (nothing kept) and the peak stays far below the bytes exported.',
      ],
    };
  },
};

/**
 * A full garbage collection (global.gc without --expose-gc), so the export's heap is read with no
 * garbage of the first pages before it, and without its own after it.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Transactions for the filters, seeded once beside the events (same span of time). */
async function ensureTransactions(databaseUrl: string, rows: number, startsAt: Date, log: (line: string) => void): Promise<void> {
  await withClient(databaseUrl, async (client) => {
    const marker = await client.query(`SELECT 1 FROM pg_tables WHERE tablename = 'bench_seed_transactions'`);
    if (marker.rowCount === 1) return;
    log(`audit-api: seeding ${rows.toLocaleString('en')} transactions (once)`);
    await client.query('SET synchronous_commit = off');
    await client.query(`SET maintenance_work_mem = '512MB'`);
    const indexes = await client.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'transactions' AND indexname <> 'transactions_pkey'`,
    );
    for (const index of indexes.rows) await client.query(`DROP INDEX ${index.indexname}`);
    const stepMs = (AUDIT_SPAN_DAYS * 86_400_000) / rows;
    await client.query(
      `INSERT INTO transactions (id, service_code, agency_code, channel, centre_code, officer_id, submitted_by, citizen_id_hash,
         citizen_sealed, payload_sealed, state, attempts, max_attempts, agency_ref, created_at, updated_at)
       SELECT md5('t' || g)::uuid, (ARRAY['${SERVICES.join("','")}'])[1 + g % ${SERVICES.length}], (ARRAY['${AGENCIES.join("','")}'])[1 + g % ${AGENCIES.length}],
              (ARRAY['${CHANNELS.join("','")}'])[1 + (g / 7) % ${CHANNELS.length}], (ARRAY['${CENTRES.join("','")}'])[1 + (g / 3) % ${CENTRES.length}],
              'officer-' || (g % 2000), 'officer-' || (g % 2000), 'citizen-' || (g % ($3::bigint / 2)),
              '\\x00'::bytea, '\\x00'::bytea, (ARRAY['${STATES.join("','")}'])[1 + (g / 11) % ${STATES.length}], 1, 8, 'REF-' || g,
              $1::timestamptz + make_interval(secs => g * $2::double precision / 1000), $1::timestamptz + make_interval(secs => g * $2::double precision / 1000)
         FROM generate_series(1, $3::bigint) AS g`,
      [startsAt, stepMs, rows],
    );
    for (const index of indexes.rows) await client.query(index.indexdef);
    await client.query('ANALYZE transactions');
    await client.query('CREATE TABLE bench_seed_transactions (rows bigint NOT NULL)');
    await client.query('INSERT INTO bench_seed_transactions VALUES ($1)', [rows]);
  });
}

/**
 * A database whose chains are valid, every chain holding events: events built and hashed here
 * (each on shardOf(entity, the number of chains)), inserted in batches. One seeded before 0132 (its
 * events on 16 of the 256 chains it has once migrated) is seeded again: verify is measured on the
 * chains as they fill now.
 */
async function ensureChainDatabase(adminUrl: string, rows: number, log: (line: string) => void): Promise<{ databaseUrl: string; name: string }> {
  const name = `kiungo_bench_chain_${rows}`;
  const databaseUrl = withDatabaseName(adminUrl, name);
  const exists = await withClient(adminUrl, async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
  if (exists) {
    const ready = await withClient(databaseUrl, async (client) => (await client.query(`SELECT 1 FROM pg_tables WHERE tablename = 'bench_seed_chain'`)).rowCount === 1);
    if (ready) {
      await migrateReused(databaseUrl);
      const filled = await withClient(databaseUrl, async (client) =>
        (await client.query<{ ok: boolean }>('SELECT count(*) FILTER (WHERE seq > 0) >= least(count(*), $1) AS ok FROM audit_chain_heads', [rows])).rows[0].ok,
      );
      if (filled) return { databaseUrl, name };
      log(`audit-api: ${name} was seeded on fewer chains than it has now: seeding it again`);
    }
  }
  log(`audit-api: seeding a valid chain of ${rows.toLocaleString('en')} events into ${name} (once)`);
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  });
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await migrate(pool);
    const chains = (await AuditLog.open(pool)).shards;
    const heads = new Map<number, { seq: number; hash: Buffer }>();
    const batch: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
    const flush = async () => {
      if (batch[0].length === 0) return;
      await pool.query(
        `INSERT INTO audit_events (shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash)
         SELECT * FROM unnest($1::int[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::timestamptz[], $9::bytea[], $10::bytea[])`,
        batch,
      );
      for (const column of batch) column.length = 0;
    };
    const start = Date.now() - rows * 10;
    for (let i = 0; i < rows; i++) {
      const event = chainEvent(i, start);
      const shard = shardOf(event.entityId, chains);
      const head = heads.get(shard) ?? { seq: 0, hash: genesisHash(shard) };
      const seq = head.seq + 1;
      const hash = chainHash(head.hash, seq, eventContent(event));
      const values = [shard, seq, event.entityType, event.entityId, event.type, event.actor, JSON.stringify(event.data), event.occurredAt.toISOString(), head.hash, hash];
      values.forEach((value, column) => batch[column].push(value));
      heads.set(shard, { seq, hash });
      if (batch[0].length >= 5000) await flush();
    }
    await flush();
    for (const [shard, head] of heads) await pool.query('UPDATE audit_chain_heads SET seq = $2, hash = $3 WHERE shard = $1', [shard, head.seq, head.hash]);
    await pool.query('CREATE TABLE bench_seed_chain (rows bigint NOT NULL)');
    await pool.query('INSERT INTO bench_seed_chain VALUES ($1)', [rows]);
  } finally {
    await pool.end();
  }
  return { databaseUrl, name };
}

function chainEvent(i: number, start: number) {
  const entity = Math.floor(i / 3);
  return {
    entityType: 'transaction',
    entityId: `00000000-0000-4000-8000-${String(entity).padStart(12, '0')}`,
    type: ['received', 'dispatched', 'completed'][i % 3],
    actor: `officer-${entity % 500}`,
    data: i % 3 === 0 ? { service: 'id-card-replacement', agency: 'nrb', channel: 'counter', centre: 'NRB-GPO' } : { attempt: 1, agencyRef: `NRB-${entity}` },
    occurredAt: new Date(start + i * 10),
  };
}

/** sha256 over exactly the bytes verify hashes, content built beforehand: the floor of verifying in Node. */
function hashOnlySeconds(rows: number): number {
  const start = Date.now() - rows * 10;
  const contents = Array.from({ length: Math.min(rows, 200_000) }, (_, i) => eventContent(chainEvent(i, start)));
  const started = performance.now();
  let prev = genesisHash(0);
  for (let i = 0; i < rows; i++) prev = chainHash(prev, i + 1, contents[i % contents.length]);
  return (performance.now() - started) / 1000;
}

async function psqlCopySeconds(databaseUrl: string, select: string): Promise<number | null> {
  const started = performance.now();
  try {
    await promisify(execFile)('psql', [databaseUrl, '-q', '-c', `\\copy (${select.replace(/\s+/g, ' ')}) TO '/dev/null' WITH (FORMAT csv)`]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return (performance.now() - started) / 1000;
}

/**
 * CPU seconds used from now until `stop()` by this process (every thread) and by the PostgreSQL
 * backends serving `database` (told by their process title). The backends are sampled every 100 ms,
 * so a connection opened and closed meanwhile (each verify worker's) counts too, up to its last
 * sample.
 */
function watchCpu(database: string): { stop(): { self: number; postgres: number } } {
  /** Processes that are not PostgreSQL's: never read again. */
  const titles = new Map<number, false>();
  const backends = (): Map<number, number> => {
    const seconds = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      try {
        if (titles.get(pid) === false) continue;
        const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        // A backend just forked still bears the postmaster's title: asked again until it names its database.
        if (!title.includes(` ${database} `)) {
          if (!title.includes('postgres')) titles.set(pid, false);
          continue;
        }
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
      } catch {
        // The process ended meanwhile.
      }
    }
    return seconds;
  };
  const selfSeconds = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  };
  const before = backends();
  const last = new Map(before);
  const sample = () => backends().forEach((seconds, pid) => last.set(pid, seconds));
  const timer = setInterval(sample, 100);
  const selfBefore = selfSeconds();
  return {
    stop() {
      const self = selfSeconds() - selfBefore;
      clearInterval(timer);
      sample();
      let postgres = 0;
      for (const [pid, seconds] of last) postgres += seconds - (before.get(pid) ?? 0);
      return { self, postgres };
    },
  };
}

function describeCpuPer(used: { self: number; postgres: number }, count: number, load: string): string {
  const micros = (seconds: number) => ((seconds * 1e6) / Math.max(count, 1)).toFixed(2);
  return `${micros(used.self)} / ${micros(used.postgres)} (${Math.round(used.self * 1000)} / ${Math.round(used.postgres * 1000)} ms in all; load ${load})`;
}
