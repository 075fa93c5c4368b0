/**
 * The worker thread behind startEmbeddedDatabase (pglite-server.ts): owns the PGlite instance
 * and the socket server in front of it. Running the engine on its own thread keeps queries off
 * the HTTP event loop, and keeps PGlite out of Jest's VM sandbox, whose lack of dynamic
 * import() support breaks PGlite's CommonJS build.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { parentPort, workerData } from 'node:worker_threads';

export interface WorkerStart {
  /** Absolute path of the data folder, or undefined for memory. */
  pgdata?: string;
  maxConnections: number;
  port: number;
  seed?: ArrayBuffer;
  /** PGlite's engine (a WebAssembly.Module), compiled once by the parent thread. */
  wasmModule?: object;
}

export type WorkerRequest = { type: 'dump' } | { type: 'close' };
export type WorkerReply =
  | { type: 'ready'; url: string }
  | { type: 'failed'; message: string }
  | { type: 'dumped'; data: ArrayBuffer }
  | { type: 'closed' };

/** Frontend messages of the extended query protocol that leave a batch open until Sync. */
const OPENS_BATCH = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
/** Sync ends a batch; a simple Query is a batch on its own. */
const CLOSES_BATCH = new Set(['S', 'Q'].map((c) => c.charCodeAt(0)));
const SYNC_MESSAGE = new Uint8Array([0x53, 0, 0, 0, 4]);

/**
 * pglite-socket's multiplexer keeps serving one connection while `isInTransaction()` is true,
 * but interleaves other connections' messages between a Parse and its Sync, so a Bind can land
 * on another connection's statement. Reporting an open Parse…Sync batch as "in transaction"
 * makes the multiplexer keep such a batch together as well.
 */
export function guardProtocolBatches(db: PGlite): PGlite {
  let batchOpen = false;
  return new Proxy(db, {
    get(target, property) {
      if (property === 'isInTransaction') {
        return () => batchOpen || target.isInTransaction();
      }
      if (property === 'execProtocolRawStream') {
        return async (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
          const type = message[0];
          try {
            return await target.execProtocolRawStream(message, options);
          } finally {
            if (OPENS_BATCH.has(type)) batchOpen = true;
            else if (CLOSES_BATCH.has(type)) batchOpen = false;
          }
        };
      }
      if (property === 'exec') {
        // The multiplexer's ROLLBACK after a client vanished mid-batch: a backend that saw an
        // error ignores everything until Sync, so send one first.
        return async (...args: Parameters<PGlite['exec']>) => {
          if (batchOpen) {
            await target.execProtocolRaw(SYNC_MESSAGE);
            batchOpen = false;
          }
          return target.exec(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function serve(start: WorkerStart): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('pglite-server.worker must run in a worker thread');
  const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    db = await PGlite.create({
      dataDir: start.pgdata,
      loadDataDir: start.seed ? new Blob([start.seed]) : undefined,
      pgliteWasmModule: start.wasmModule,
    });
    server = new PGLiteSocketServer({
      db: guardProtocolBatches(db),
      host: '127.0.0.1',
      port: start.port,
      maxConnections: start.maxConnections,
    });
    await server.start();
  } catch (error) {
    await db?.close().catch(() => undefined);
    reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const openDb = db;
  const openServer = server;

  port.on('message', (request: WorkerRequest) => {
    void (async () => {
      if (request.type === 'dump') {
        const data = await (await openDb.dumpDataDir('none')).arrayBuffer();
        reply({ type: 'dumped', data }, [data]);
      } else {
        await openServer.stop();
        await openDb.close();
        reply({ type: 'closed' });
        port.close();
      }
    })().catch((error: unknown) => {
      reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    });
  });
  reply({ type: 'ready', url: `postgresql://postgres:postgres@${openServer.getServerConn()}/postgres?sslmode=disable` });
}

if (parentPort && (workerData as { kiungoPglite?: WorkerStart } | null)?.kiungoPglite) {
  void serve((workerData as { kiungoPglite: WorkerStart }).kiungoPglite);
}
