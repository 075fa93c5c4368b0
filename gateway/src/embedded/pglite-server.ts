/**
 * Embedded mode's database: PGlite (PostgreSQL 18 compiled to WASM) on a worker thread of this
 * process, served on 127.0.0.1 by @electric-sql/pglite-socket, so the same `pg` code runs as in
 * production. The engine itself lives in pglite-server.worker.ts.
 *
 * What PGlite's socket multiplexer does with several connections (pglite-socket 0.2.17,
 * pglite 0.5.14; see pglite-server.int-spec.ts):
 * - There is ONE PostgreSQL session behind all connections (same pg_backend_pid). Session
 *   state is shared: SET, temp tables, named prepared statements (a second connection
 *   preparing the same name gets 42P05), LISTEN, and session advisory locks (a second
 *   connection's pg_advisory_lock on a held key succeeds at once: no mutual exclusion).
 * - Whole transactions are serialised: while connection A is inside BEGIN … COMMIT, every
 *   message from other connections (even a plain SELECT) waits. So B never sees A's
 *   uncommitted rows and A's ROLLBACK leaves B's work intact, but a transaction that waits
 *   for another connection (e.g. calls pool.query instead of using its client) waits forever.
 *   FOR UPDATE SKIP LOCKED therefore never skips anything: the second locker just waits.
 * - Outside an explicit transaction the multiplexer interleaves single protocol messages.
 *   pg sends a parameterised query as Parse/Bind/Execute/Sync; when that batch arrives in
 *   two TCP reads, another connection's Parse can slip in between and the Bind runs against
 *   the wrong statement. `guardProtocolBatches` (in the worker) keeps a batch together until Sync.
 * - LISTEN/NOTIFY: the notification is delivered to whichever connection runs the next
 *   query, usually the notifier, not the listener. Do not use it in embedded mode.
 * - statement_timeout is accepted but not enforced; CancelRequest is ignored.
 * - sha256(bytea), gen_random_uuid(), jsonb work; the pgcrypto extension is not installed.
 * Hence EMBEDDED_POOL_MAX = 1. With the guard, more connections are safe, and 4 gave ~1.5x the
 * throughput of 1 in a quick test (the engine runs on its own thread); but with one connection,
 * code that holds a transaction and asks the pool for another connection fails on the pool's
 * connection timeout, where with several it would wait forever on the multiplexer.
 *
 * Durability: PGlite runs with fsync off but writes through Node's fs at every commit, so a
 * SIGKILLed process loses no committed transaction (WAL replay on the next start); a power
 * loss may. Nothing stops two processes from opening one data folder, which corrupts it, so
 * this module takes a lock file.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../../core/shared/worker-thread';
import type { WorkerReply, WorkerRequest, WorkerStart } from './pglite-server.worker';

/** Pool size for the embedded database: one process-wide pool of this size. */
export const EMBEDDED_POOL_MAX = 1;

export interface EmbeddedDatabaseOptions {
  /** Data lives in `<dataDir>/pgdata`. Omit for an in-memory database (tests). */
  dataDir?: string;
  /** Connections the socket server accepts; one more is refused (pg sees the socket close). */
  maxConnections?: number;
  /** 0 lets the OS choose. */
  port?: number;
  /** A `dumpDataDir()` tarball to start from when there is no database yet (tests' templates). */
  seed?: Blob;
}

export interface EmbeddedDatabase {
  /** postgres:// URL of the socket server, for `pg`. */
  readonly url: string;
  /** Stops the server (dropping its connections), then closes the database. Safe to call twice. */
  close(): Promise<void>;
  /** A tarball of the data directory, loadable through `seed`. */
  dumpDataDir(): Promise<Blob>;
}

export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase> {
  const { dataDir, maxConnections = 4, port = 0 } = options;
  let { seed } = options;

  let lock: DataDirLock | undefined;
  let pgdata: string | undefined;
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    lock = acquireDataDirLock(path.join(dataDir, 'pgdata.lock'));
    pgdata = path.join(path.resolve(dataDir), 'pgdata');
    if (existsSync(path.join(pgdata, 'PG_VERSION'))) seed = undefined;
  }
  let worker: Worker | undefined;
  let replies: WorkerReplies;
  let url: string;
  try {
    const start: WorkerStart = {
      pgdata,
      maxConnections,
      port,
      seed: seed ? await seed.arrayBuffer() : undefined,
      wasmModule: await compiledEngine(),
    };
    worker = startWorker(__filename, 'pglite-server.worker', { kiungoPglite: start });
    // Without a listener, a crash inside the worker would take the whole process down.
    worker.on('error', (error) => console.error(`[embedded database] ${error.message}`));
    replies = new WorkerReplies(worker);
    url = (await replies.next('ready')).url;
  } catch (error) {
    await worker?.terminate();
    lock?.release();
    throw error;
  }
  const running = worker;

  let closing: Promise<void> | undefined;
  return {
    url,
    close: () => {
      closing ??= (async () => {
        try {
          await replies.request({ type: 'close' }, 'closed');
        } finally {
          await running.terminate();
          lock?.release();
        }
      })();
      return closing;
    },
    dumpDataDir: async () => new Blob([(await replies.request({ type: 'dump' }, 'dumped')).data]),
  };
}

/** `lib` has no DOM, so no WebAssembly types: the one call used here, and an opaque module. */
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledEngine> };
type CompiledEngine = WorkerStart['wasmModule'];

let engine: Promise<CompiledEngine> | undefined;

/**
 * PGlite's WASM, compiled once per process and handed to each worker: a fresh thread would
 * otherwise compile its own copy, which costs more than everything else in starting one.
 */
function compiledEngine(): Promise<CompiledEngine> {
  engine ??= readFile(path.join(path.dirname(require.resolve('@electric-sql/pglite')), 'pglite.wasm')).then((bytes) =>
    WebAssembly.compile(bytes),
  );
  return engine;
}

/** Replies from the worker, one request at a time, failing if the worker dies. */
class WorkerReplies {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly worker: Worker) {}

  request<T extends WorkerReply['type']>(
    message: WorkerRequest,
    expected: T,
  ): Promise<Extract<WorkerReply, { type: T }>> {
    const result = this.queue.then(() => {
      const reply = this.next(expected);
      this.worker.postMessage(message);
      return reply;
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  next<T extends WorkerReply['type']>(expected: T): Promise<Extract<WorkerReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const cleanUp = () => {
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        this.worker.off('exit', onExit);
      };
      const onMessage = (reply: WorkerReply) => {
        cleanUp();
        if (reply.type === expected) resolve(reply as Extract<WorkerReply, { type: T }>);
        else reject(new Error(reply.type === 'failed' ? `Embedded database: ${reply.message}` : `Unexpected ${reply.type}`));
      };
      const onError = (error: Error) => {
        cleanUp();
        reject(error);
      };
      const onExit = (code: number) => {
        cleanUp();
        reject(new Error(`Embedded database worker exited (code ${code})`));
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      this.worker.on('exit', onExit);
    });
  }
}

interface DataDirLock {
  release(): void;
}

/** Lock files this process holds: a lock naming our own pid but absent here is a stale one. */
const heldLocks = new Set<string>();

/** A lock file holding the owner's pid; a stale one (its process died, e.g. SIGKILL) is taken over. */
function acquireDataDirLock(file: string): DataDirLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldLocks.add(file);
      return {
        release: () => {
          if (heldLocks.delete(file)) rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(file, 'utf8'));
      if (isHeldBy(holder, file)) {
        throw new Error(
          `The embedded database ${path.dirname(file)} is already open in process ${holder}. ` +
            `Stop that process, or delete ${file} if no such process uses it.`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock the embedded database ${path.dirname(file)}`);
}

function isHeldBy(pid: number, file: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true; // being written by its owner right now
  // A restarted container reuses its pid: our own pid only counts if we really hold the lock.
  if (pid === process.pid) return heldLocks.has(file);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
