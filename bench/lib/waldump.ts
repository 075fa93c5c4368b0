/**
 * What one database's sessions wrote to the WAL, from pg_waldump: the records, their bytes with and
 * without full-page images, and their kinds (a heap insert, a B-tree leaf insert, a commit). Counts,
 * unlike CPU, do not move with the load on the box (bench/lib/stored-per-submit.ts).
 *
 * pg_waldump prints a line per record:
 *   rmgr: Heap  len (rec/tot):  54/ 1226, tx:  657622, lsn: 1/2A91FD58, prev 1/2A91FD30, desc: INSERT off 3 flags 0x04, blkref #0: rel 1663/65361/65420 blk 4 FPW
 * `rec` is the record without its full-page images, `tot` with them; each `FPW` is one image. A record
 * is the database's when a block it names is the database's (`rel <tablespace>/<database oid>/<file>`),
 * and a commit or abort, which names no block, when an earlier record of its transaction was.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { findBinary } from './binaries';
import { spawnManaged } from './processes';
import { REPO_ROOT } from './repo';

export interface WalKind {
  records: number;
  /** Without full-page images. */
  bytes: number;
}

export interface WalCounts {
  records: number;
  /** Their length without full-page images (pg_waldump's `rec`). */
  bytes: number;
  /** The full-page images in them: their bytes (`tot` − `rec`) and how many. */
  imageBytes: number;
  images: number;
  /** Transactions that wrote a record of the database, and their commit records. */
  transactions: number;
  commits: number;
  /** By resource manager and record type, e.g. `Btree INSERT_LEAF`, `Heap INSERT+INIT`, `Transaction COMMIT`. */
  byKind: Record<string, WalKind>;
}

const RECORD = /^rmgr: (\S+)\s+len \(rec\/tot\):\s*(\d+)\/\s*(\d+), tx:\s*(\d+), lsn: [0-9A-F]+\/[0-9A-F]+, prev [0-9A-F]+\/[0-9A-F]+, desc: ([^\s,]*)(.*)$/;
const BLOCK = /\brel \d+\/(\d+)\/\d+/g;
const IMAGE = /\bFPW\b/g;

/** Counts one database's records, fed pg_waldump's lines in their order. Other lines (its messages) are ignored. */
export class WalTally {
  private readonly database: string;
  private readonly transactions = new Set<string>();
  private readonly counts: WalCounts = { records: 0, bytes: 0, imageBytes: 0, images: 0, transactions: 0, commits: 0, byKind: {} };

  constructor(databaseOid: number) {
    this.database = String(databaseOid);
  }

  add(line: string): void {
    const match = RECORD.exec(line);
    if (!match) return;
    const [, rmgr, rec, tot, xid, type, rest] = match;
    const ours = [...rest.matchAll(BLOCK)].some((block) => block[1] === this.database);
    if (ours) {
      if (xid !== '0') this.transactions.add(xid);
    } else if (!(rmgr === 'Transaction' && this.transactions.has(xid))) {
      return;
    }
    const counts = this.counts;
    counts.records += 1;
    counts.bytes += Number(rec);
    counts.imageBytes += Number(tot) - Number(rec);
    counts.images += rest.match(IMAGE)?.length ?? 0;
    if (rmgr === 'Transaction' && type.startsWith('COMMIT')) counts.commits += 1;
    const kind = (counts.byKind[`${rmgr} ${type}`] ??= { records: 0, bytes: 0 });
    kind.records += 1;
    kind.bytes += Number(rec);
  }

  result(): WalCounts {
    return { ...this.counts, transactions: this.transactions.size, byKind: { ...this.counts.byKind } };
  }
}

export function tallyWal(text: string, databaseOid: number): WalCounts {
  const tally = new WalTally(databaseOid);
  for (const line of text.split('\n')) tally.add(line);
  return tally.result();
}

/** Records of these kinds (`Heap INSERT`, …) in the counts. */
export function recordsOf(counts: WalCounts, ...kinds: string[]): number {
  return kinds.reduce((sum, kind) => sum + (counts.byKind[kind]?.records ?? 0), 0);
}

/** A heap tuple inserted (the page's first: `+INIT`). */
export const HEAP_INSERTS = ['Heap INSERT', 'Heap INSERT+INIT'];
/** An index tuple inserted into a B-tree leaf (`INSERT_POST`: into a posting list it splits). */
export const BTREE_LEAF_INSERTS = ['Btree INSERT_LEAF', 'Btree INSERT_POST'];
export const BTREE_SPLITS = ['Btree SPLIT_L', 'Btree SPLIT_R'];

/**
 * The pg_waldump that reads this server's WAL (it reads only its own major version's): the
 * server's own in Debian's layout, then pg_config's bindir, PATH, and any other installed version.
 * A string is why there is none.
 */
export function findWaldump(serverMajor: number): { binary: string } | { missing: string } {
  const candidates = [
    `/usr/lib/postgresql/${serverMajor}/bin/pg_waldump`,
    ...pgConfigBindir().map((dir) => path.join(dir, 'pg_waldump')),
    findBinary('pg_waldump'),
    ...installedVersions().map((version) => `/usr/lib/postgresql/${version}/bin/pg_waldump`),
  ].filter((candidate): candidate is string => candidate !== undefined);
  const others: string[] = [];
  for (const candidate of new Set(candidates)) {
    const major = waldumpMajor(candidate);
    if (major === serverMajor) return { binary: candidate };
    if (major !== undefined) others.push(`${candidate} is version ${major}`);
  }
  if (others.length > 0) return { missing: `no pg_waldump of the server's version ${serverMajor} (${others.join('; ')}: it reads only its own version's WAL)` };
  return { missing: `pg_waldump not found (looked in /usr/lib/postgresql/*/bin, pg_config --bindir and PATH; it comes with the server package, e.g. postgresql-${serverMajor})` };
}

/** Runs pg_waldump over [start, end) of the segments in `walDir`, counting the database's records as they stream. */
export function dumpWal(options: { binary: string; walDir: string; start: string; end: string; databaseOid: number }): Promise<WalCounts> {
  const managed = spawnManaged('pg_waldump', options.binary, ['-p', options.walDir, '-s', options.start, '-e', options.end], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH },
  });
  const tally = new WalTally(options.databaseOid);
  let errors = '';
  managed.child.stderr?.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString('utf8')).slice(-2000);
  });
  const lines = createInterface({ input: managed.child.stdout!, crlfDelay: Infinity });
  lines.on('line', (line) => tally.add(line));
  const closed = new Promise<void>((resolve) => lines.once('close', resolve));
  return new Promise((resolve, reject) => {
    managed.child.once('exit', (code, signal) => {
      void closed.then(() => {
        if (code === 0) resolve(tally.result());
        else reject(new Error(`pg_waldump exited with ${code ?? signal}: ${errors.trim().split('\n').slice(-3).join(' ') || '(no message)'}`));
      });
    });
  });
}

function pgConfigBindir(): string[] {
  const pgConfig = findBinary('pg_config');
  if (!pgConfig) return [];
  try {
    return [execFileSync(pgConfig, ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()];
  } catch {
    return [];
  }
}

function installedVersions(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  } catch {
    return [];
  }
}

/** `pg_waldump (PostgreSQL) 15.20` → 15; undefined when it is not there or does not run. */
function waldumpMajor(binary: string): number | undefined {
  try {
    const version = execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const major = /\(PostgreSQL\) (\d+)/.exec(version)?.[1];
    return major === undefined ? undefined : Number(major);
  } catch {
    return undefined;
  }
}
