/**
 * What a submit leaves in PostgreSQL, counted rather than timed: CPU per request moves ±30 % between
 * runs on a shared box, these counts do not. `db-floor` replays a fixed number of submits with its
 * pgbench script (4 clients) on a database of its own, freshly migrated, after a CHECKPOINT, and reads:
 * - pg_waldump over the WAL written meanwhile: the records that name a block of that database and
 *   the commits of their transactions (bench/lib/waldump.ts), their bytes without full-page images
 *   (how many images a run writes depends on the checkpoints that fall in it), heap and B-tree leaf
 *   inserts. A temporary physical replication slot keeps that WAL from being recycled by other
 *   sessions' checkpoints until it is read;
 * - pg_stat_database of that database: rows inserted, updated, deleted, blocks touched (hit + read);
 * - pg_stat_wal: the whole server's WAL in the same time (other sessions' included), the figure left
 *   when pg_waldump is missing or the WAL cannot be read.
 * Autovacuum is off for the database's tables (its work is not a submit's and would fall in the
 * count or not by chance). The WAL is read where the server keeps it (`data_directory`/pg_wal,
 * readable as root or as the postgres user), else copied through SQL (pg_ls_waldir,
 * pg_read_binary_file: a superuser, or the pg_read_server_files role). Whatever cannot be counted
 * is named with the reason; the count never fails the bench. The slot and the database are dropped
 * at the end, also on failure (and with the run's shared resources on Ctrl-C).
 * bench/tools/stored-per-submit.ts counts saved scripts the same way (before and after a change).
 */
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { dropDatabase, migrateReused, recreateDatabase, withClient } from './database';
import { round } from './load';
import { pgbenchArgs, processedOf, runPgbench, type PgbenchScript } from './pgbench-script';
import { waitUntil } from './processes';
import type { BenchContext, Figure } from './scenario';
import { BTREE_LEAF_INSERTS, BTREE_SPLITS, dumpWal, findWaldump, HEAP_INSERTS, recordsOf, type WalCounts } from './waldump';

/** Submits replayed for the count, in every mode: enough that the first pages' splits and images weigh little. */
const COUNTED_SUBMITS = 2000;
/** pgbench clients replaying them: fixed, so that counts compare between runs and machines. */
const COUNT_CLIENTS = 4;
/** Copied through SQL at most (64 segments of 16 MB): more means other sessions wrote most of it. */
const MAX_COPIED_BYTES = 1024 * 1024 * 1024;
const COPY_CHUNK_BYTES = 4 * 1024 * 1024;

export interface StoredPerSubmit {
  /** Submits replayed (pgbench's transactions); every figure below is per submit. */
  submits: number;
  /** pg_stat_database of the count's database. */
  database?: { rowsInserted: number; rowsUpdated: number; rowsDeleted: number; blocksTouched: number; blocksRead: number };
  /** pg_waldump: the records naming the database and the commits of their transactions. */
  wal?: {
    records: number;
    /** Without full-page images. */
    bytes: number;
    imageBytes: number;
    images: number;
    heapInserts: number;
    btreeLeafInserts: number;
    btreeSplits: number;
    commits: number;
    /** Records per submit by kind (`Btree INSERT_LEAF`, …), most first. */
    byKind: Record<string, number>;
    /** The pg_waldump and where it read the WAL. */
    source: string;
  };
  /** pg_stat_wal: the whole server's WAL meanwhile (every database's sessions and the server's own). */
  serverWal?: { records: number; bytes: number; images: number };
  /** Checkpoints that started during the count, besides the one before it. */
  checkpoints?: number;
  /** What was not counted, and why. */
  missing: string[];
  /** How the count went where it matters to the figures (no slot, no CHECKPOINT). */
  notes: string[];
}

interface Snapshot {
  lsn: string;
  database: { tup_inserted: string; tup_updated: string; tup_deleted: string; blks_hit: string; blks_read: string };
  wal?: { wal_records: string; wal_fpi: string; wal_bytes: string };
  checkpoints?: number;
}

/** Runs `submits` submits on a database; resolves to the number it ran. */
export type Replay = (databaseUrl: string, submits: number) => Promise<number>;

/** The replay of a db-floor pgbench script (bench/lib/pgbench-script.ts) by COUNT_CLIENTS clients. */
export function pgbenchReplay(binary: string, script: { file: string; variables: Record<string, string>; mode: PgbenchScript['mode'] }): Replay {
  return async (databaseUrl, submits) => {
    const args = pgbenchArgs({ scriptFile: script.file, variables: script.variables, mode: script.mode, clients: COUNT_CLIENTS, run: ['-t', Math.ceil(submits / COUNT_CLIENTS)], databaseUrl });
    return processedOf(await runPgbench(binary, args, `script ${script.file}`));
  };
}

/**
 * Creates and migrates `kiungo_bench_walcount_<pid>`, runs `replay(url, submits)` on it and counts
 * what the submits stored. Never throws. With the bench's context, the database is also dropped
 * with the run's shared resources (Ctrl-C).
 */
export async function countStoredPerSubmit(adminUrl: string, replay: Replay, ctx?: BenchContext): Promise<StoredPerSubmit> {
  const name = `kiungo_bench_walcount_${process.pid}`;
  const result: StoredPerSubmit = { submits: 0, missing: [], notes: [] };
  const session = new Client({ connectionString: adminUrl, application_name: 'kiungo-bench-walcount' });
  let connected = false;
  try {
    // Dropped with the run's shared resources too, should the bench be stopped in the middle.
    await ctx?.shared(`stored-per-submit:${name}`, async () => name, (database) => dropDatabase(adminUrl, database));
    const databaseUrl = await recreateDatabase(adminUrl, name);
    await migrateReused(databaseUrl);
    await withoutAutovacuum(databaseUrl);
    await session.connect();
    connected = true;
    const { rows } = await session.query<{ oid: number; major: number }>(
      "SELECT oid, current_setting('server_version_num')::int / 10000 AS major FROM pg_database WHERE datname = $1",
      [name],
    );
    const { oid, major } = rows[0];
    await settled(session, name);
    await session.query('CHECKPOINT').catch((error: Error) => result.notes.push(`no CHECKPOINT before the count (${error.message}): full-page images depend on when the last one was`));
    await session
      .query('SELECT pg_create_physical_replication_slot($1, true, true)', [name])
      .catch((error: Error) => result.notes.push(`no replication slot (${error.message}): a checkpoint during the count may recycle its WAL before it is read`));
    const before = await snapshot(session, name, major);
    const submits = await replay(databaseUrl, COUNTED_SUBMITS);
    if (!(submits > 0)) throw new Error(`the replay ran ${submits} submits`);
    await settled(session, name);
    const after = await snapshot(session, name, major);
    result.submits = submits;
    const per = (a: string | undefined, b: string | undefined): number => round((Number(b) - Number(a)) / submits, 3);
    result.database = {
      rowsInserted: per(before.database.tup_inserted, after.database.tup_inserted),
      rowsUpdated: per(before.database.tup_updated, after.database.tup_updated),
      rowsDeleted: per(before.database.tup_deleted, after.database.tup_deleted),
      blocksTouched: round(per(before.database.blks_hit, after.database.blks_hit) + per(before.database.blks_read, after.database.blks_read), 3),
      blocksRead: per(before.database.blks_read, after.database.blks_read),
    };
    if (before.wal && after.wal) {
      result.serverWal = {
        records: per(before.wal.wal_records, after.wal.wal_records),
        bytes: per(before.wal.wal_bytes, after.wal.wal_bytes),
        images: per(before.wal.wal_fpi, after.wal.wal_fpi),
      };
    }
    if (before.checkpoints !== undefined && after.checkpoints !== undefined) result.checkpoints = after.checkpoints - before.checkpoints;
    try {
      result.wal = await countWal(session, { start: before.lsn, end: after.lsn, databaseOid: oid, serverMajor: major, submits });
    } catch (error) {
      result.missing.push(`the database's WAL records and bytes (pg_waldump): ${messageOf(error)}`);
    }
  } catch (error) {
    result.missing.push(messageOf(error));
  } finally {
    if (connected) {
      await session.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [name]).catch(() => undefined);
      await session.end().catch(() => undefined);
    }
    await dropDatabase(adminUrl, name).catch((error: Error) => result.notes.push(`the database ${name} was not dropped: ${error.message}`));
  }
  return result;
}

/** The report's lines: `stored per submit`, and beside it what it stands on or why part of it is missing. */
export function describeStoredPerSubmit(stored: StoredPerSubmit): Figure[] {
  const label = `stored per submit (${stored.submits.toLocaleString('en')} submits replayed on a freshly migrated database after a CHECKPOINT)`;
  const parts: string[] = [];
  const { wal, database, serverWal } = stored;
  if (wal) {
    parts.push(
      `WAL records ${wal.records.toFixed(2)}, WAL bytes ${thousands(wal.bytes)} without full-page images, B-tree leaf inserts ${wal.btreeLeafInserts.toFixed(2)}, ` +
        `heap inserts ${wal.heapInserts.toFixed(2)}, commits ${wal.commits.toFixed(2)}`,
    );
  }
  if (database) {
    parts.push(
      `rows inserted ${database.rowsInserted.toFixed(2)}, updated ${database.rowsUpdated.toFixed(2)}, deleted ${database.rowsDeleted.toFixed(2)}; ` +
        `blocks touched ${database.blocksTouched.toFixed(1)} (read ${database.blocksRead.toFixed(2)})`,
    );
  }
  if (!wal && serverWal) {
    parts.push(`the whole server's WAL meanwhile (pg_stat_wal, other sessions' included): ${serverWal.records.toFixed(2)} records, ${thousands(serverWal.bytes)} bytes with ${serverWal.images.toFixed(2)} full-page images`);
  }
  if (parts.length === 0) return [{ label: 'stored per submit', value: `not counted: ${[...stored.missing, ...stored.notes].join('; ')}` }];
  const figures: Figure[] = [{ label, value: parts.join('; ') }];
  if (wal) {
    const kinds = Object.entries(wal.byKind).map(([kind, n]) => `${kind} ${n.toFixed(2)}`);
    figures.push({ label: 'stored per submit, WAL records by kind', value: kinds.join(', ') });
    figures.push({
      label: 'stored per submit, full-page images (left out above)',
      value:
        `${wal.images.toFixed(2)} images, ${thousands(wal.imageBytes)} bytes (the first change of each page after a checkpoint; ` +
        `${stored.checkpoints === undefined ? 'unknown' : stored.checkpoints === 1 ? '1 checkpoint' : `${stored.checkpoints} checkpoints`} began during the count); B-tree page splits ${wal.btreeSplits.toFixed(2)}; WAL read by ${wal.source}`,
    });
  }
  for (const reason of stored.missing) figures.push({ label: 'stored per submit, not counted', value: reason });
  for (const note of stored.notes) figures.push({ label: 'stored per submit, note', value: note });
  return figures;
}

/**
 * Autovacuum's work is not a submit's, and would fall in the count or not by chance (the launcher
 * visits every database each minute or so): off for the database's tables, and the catalogs'
 * churn from the migrations vacuumed first, so that nothing is due during the count. The tables
 * themselves are left as the migrations made them: vacuumed or analyzed empty, the planner would
 * take them for empty as they grow, and scan them whole.
 */
async function withoutAutovacuum(databaseUrl: string): Promise<void> {
  await withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ sql: string }>(
      `SELECT CASE WHEN n.nspname = 'pg_catalog' THEN format('VACUUM ANALYZE pg_catalog.%I', c.relname)
                   ELSE format('ALTER TABLE %I.%I SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)', n.nspname, c.relname) END AS sql
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND NOT c.relisshared AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg_toast%'`,
    );
    for (const { sql } of rows) await client.query(sql);
  });
}

async function countWal(
  session: Client,
  options: { start: string; end: string; databaseOid: number; serverMajor: number; submits: number },
): Promise<NonNullable<StoredPerSubmit['wal']>> {
  const waldump = findWaldump(options.serverMajor);
  if ('missing' in waldump) throw new Error(waldump.missing);
  const source = await walSource(session, options.start, options.end);
  let counts: WalCounts;
  try {
    counts = await dumpWal({ binary: waldump.binary, walDir: source.dir, start: options.start, end: options.end, databaseOid: options.databaseOid });
  } finally {
    source.remove();
  }
  if (counts.commits === 0) throw new Error(`pg_waldump found no commit of the database's transactions between ${options.start} and ${options.end} in ${source.shown}`);
  const per = (n: number): number => round(n / options.submits, 3);
  return {
    records: per(counts.records),
    bytes: per(counts.bytes),
    imageBytes: per(counts.imageBytes),
    images: per(counts.images),
    heapInserts: per(recordsOf(counts, ...HEAP_INSERTS)),
    btreeLeafInserts: per(recordsOf(counts, ...BTREE_LEAF_INSERTS)),
    btreeSplits: per(recordsOf(counts, ...BTREE_SPLITS)),
    commits: per(counts.commits),
    byKind: Object.fromEntries(
      Object.entries(counts.byKind)
        .sort(([, a], [, b]) => b.records - a.records)
        .map(([kind, n]) => [kind, per(n.records)]),
    ),
    source: `${waldump.binary} from ${source.shown}`,
  };
}

/**
 * Where pg_waldump can read the segments from `start` to `end`: the server's pg_wal when this
 * process can list it (the server on this machine, run as root or postgres), else copies made
 * through SQL into a temp folder.
 */
async function walSource(session: Client, start: string, end: string): Promise<{ dir: string; shown: string; remove: () => void }> {
  const { rows } = await session.query<{ first: string; last: string }>('SELECT pg_walfile_name($1) AS first, pg_walfile_name($2) AS last', [start, end]);
  const { first, last } = rows[0];
  let direct: string;
  try {
    const { rows: settings } = await session.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
    const walDir = path.join(settings[0].dir, 'pg_wal');
    if (readdirSync(walDir).includes(last)) return { dir: walDir, shown: walDir, remove: () => undefined };
    direct = `${walDir} has no ${last} (the server runs on another machine?)`;
  } catch (error) {
    direct = messageOf(error);
  }
  try {
    return await copyThroughSql(session, first, last);
  } catch (error) {
    throw new Error(`the WAL cannot be read: directly, ${direct}; through SQL (pg_ls_waldir, pg_read_binary_file), ${messageOf(error)}`);
  }
}

async function copyThroughSql(session: Client, first: string, last: string): Promise<{ dir: string; shown: string; remove: () => void }> {
  const { rows } = await session.query<{ name: string; size: string }>('SELECT name, size FROM pg_ls_waldir() WHERE name BETWEEN $1 AND $2 ORDER BY name', [first, last]);
  const total = rows.reduce((sum, row) => sum + Number(row.size), 0);
  if (rows.length === 0) throw new Error(`pg_ls_waldir() lists none of ${first} … ${last}`);
  if (total > MAX_COPIED_BYTES) {
    throw new Error(`${Math.round(total / 1024 / 1024)} MB of WAL in ${rows.length} segments (other sessions wrote most of it): more than the ${MAX_COPIED_BYTES / 1024 / 1024} MB the bench copies`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-bench-wal-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    for (const { name, size } of rows) {
      const fd = openSync(path.join(dir, name), 'w');
      try {
        for (let offset = 0; offset < Number(size); offset += COPY_CHUNK_BYTES) {
          const chunk = await session.query<{ bytes: Buffer }>('SELECT pg_read_binary_file($1, $2::bigint, $3::bigint) AS bytes', [`pg_wal/${name}`, offset, COPY_CHUNK_BYTES]);
          writeSync(fd, chunk.rows[0].bytes);
        }
      } finally {
        closeSync(fd);
      }
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, shown: `${rows.length} segments copied through pg_read_binary_file`, remove };
}

async function snapshot(session: Client, database: string, serverMajor: number): Promise<Snapshot> {
  const { rows } = await session.query<Snapshot['database'] & { lsn: string }>(
    'SELECT pg_current_wal_lsn()::text AS lsn, tup_inserted, tup_updated, tup_deleted, blks_hit, blks_read FROM pg_stat_database WHERE datname = $1',
    [database],
  );
  const { lsn, ...counts } = rows[0];
  // pg_stat_wal since 14; checkpoints moved to pg_stat_checkpointer in 17.
  const wal = await session
    .query<NonNullable<Snapshot['wal']>>('SELECT wal_records, wal_fpi, wal_bytes FROM pg_stat_wal')
    .then((r) => r.rows[0])
    .catch(() => undefined);
  const checkpoints = await session
    .query<{ n: string }>(
      serverMajor >= 17 ? 'SELECT num_timed + num_requested AS n FROM pg_stat_checkpointer' : 'SELECT checkpoints_timed + checkpoints_req AS n FROM pg_stat_bgwriter',
    )
    .then((r) => Number(r.rows[0].n))
    .catch(() => undefined);
  return { lsn, database: counts, wal, checkpoints };
}

/**
 * Until no session is left on the database and its statistics have stopped moving: a backend
 * reports its counts as it exits, after its client has gone.
 */
async function settled(session: Client, database: string): Promise<void> {
  let last = '';
  await waitUntil(
    async () => {
      const { rows } = await session.query(
        'SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = $1) AS sessions, xact_commit, tup_inserted, tup_updated, blks_hit FROM pg_stat_database WHERE datname = $1',
        [database],
      );
      const now = JSON.stringify(rows[0]);
      const still = now === last && rows[0].sessions === '0';
      last = now;
      return still;
    },
    `the sessions and statistics of ${database} to settle after its load`,
    { timeoutMs: 15_000, everyMs: 250 },
  );
}

function thousands(n: number): string {
  return Math.round(n).toLocaleString('en');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
