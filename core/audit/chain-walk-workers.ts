/**
 * verify on more than one core: the chains split between worker threads (chain-walk.worker.ts),
 * each walking its share over its own connection, all in ONE snapshot. The coordinating
 * transaction exports its snapshot (pg_export_snapshot) and every worker's transaction imports it
 * (SET TRANSACTION SNAPSHOT), so events and heads are read exactly as the single walk in that
 * transaction would read them, and the report is the same.
 */
import type { Worker } from 'node:worker_threads';
import type { ClientConfig, Pool, PoolClient } from 'pg';
import { isEmbeddedEngine } from '../db/pool';
import { startWorker } from '../shared/worker-thread';
import { VERIFY_ROUND_EVENTS, type ChainOutcome, type SealedPositions } from './chain-walk';
import type { ChainWalkJob, ChainWalkReply } from './chain-walk.worker';

export interface ChainWalkSplit {
  /** Threads to walk the chains in; 1 walks them on the caller's thread. */
  workers: number;
  /** Fewer events than this (by the heads) are walked on the caller's thread: starting threads would cost more. */
  minEvents: number;
}

/**
 * The connection settings the workers open theirs with, or undefined when the chains should be
 * walked on this thread: one worker asked for, one chain, too few events, the embedded PGlite
 * (one session behind every connection: a second transaction there waits for the first to end),
 * or a pool whose settings cannot cross to a thread (a password callback).
 */
export async function workerConnection(pool: Pool, client: PoolClient, shards: readonly number[], split: ChainWalkSplit): Promise<ClientConfig | undefined> {
  if (split.workers < 2 || shards.length < 2) return undefined;
  const connection = connectionOf(pool);
  if (!connection || (await isEmbeddedEngine(client))) return undefined;
  const { rows } = await client.query<{ events: string }>('SELECT coalesce(sum(seq), 0) AS events FROM audit_chain_heads WHERE shard = ANY($1::integer[])', [shards]);
  return Number(rows[0].events) >= split.minEvents ? connection : undefined;
}

/**
 * Walks `shards` in `workers` threads, in the snapshot of `client`'s transaction (REPEATABLE READ),
 * the chains dealt round-robin, each thread's rounds a share of VERIFY_ROUND_EVENTS (the round's
 * memory is the single walk's). Outcomes come in the order of `shards`. A failure in any worker
 * fails the whole walk once every thread has stopped.
 */
export async function walkChainsInWorkers(
  client: PoolClient,
  connection: ClientConfig,
  shards: readonly number[],
  workers: number,
  sealed?: SealedPositions,
  keep = Infinity,
): Promise<ChainOutcome[]> {
  const { rows } = await client.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
  const snapshot = rows[0].snapshot;
  const shares = Array.from({ length: Math.min(workers, shards.length) }, (_, w) => shards.filter((_, i) => i % workers === w));
  const roundEvents = Math.ceil(VERIFY_ROUND_EVENTS / shares.length);
  const running: Worker[] = [];
  try {
    const replies = shares.map((share) => {
      const job: ChainWalkJob = { connection, snapshot, shards: share, sealed: sealedOf(share, sealed), roundEvents, keep };
      const worker = startWorker(__filename, 'chain-walk.worker', { kiungoChainWalk: job });
      running.push(worker);
      return outcomesOf(worker);
    });
    const byShard = new Map((await Promise.all(replies)).flat().map((outcome) => [outcome.shard, outcome]));
    return shards.map((shard) => byShard.get(shard)!);
  } finally {
    // A worker that answered is ending on its own; one still walking after another failed is stopped here.
    await Promise.all(running.map((worker) => worker.terminate()));
  }
}

function outcomesOf(worker: Worker): Promise<ChainOutcome[]> {
  return new Promise((resolve, reject) => {
    worker.once('message', (reply: ChainWalkReply) => {
      if ('outcomes' in reply) resolve(reply.outcomes);
      else reject(Object.assign(new Error(`verify worker: ${reply.failed.message}`), reply.failed.code ? { code: reply.failed.code } : {}));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`verify worker stopped (exit code ${code}) before it answered`)));
  });
}

/** The seals of these chains only: each worker gets its own share. */
function sealedOf(shards: readonly number[], sealed: SealedPositions | undefined): SealedPositions {
  const share: SealedPositions = new Map();
  for (const shard of shards) {
    const positions = sealed?.get(shard);
    if (positions) share.set(shard, positions);
  }
  return share;
}

/** The pool's connection settings, when all of them can be copied to another thread. */
function connectionOf(pool: Pool): ClientConfig | undefined {
  const { connectionString, host, port, user, password, database, ssl, application_name, statement_timeout, query_timeout, connectionTimeoutMillis, options } = pool.options;
  if (typeof password === 'function') return undefined;
  const connection: ClientConfig = { connectionString, host, port, user, password, database, ssl, application_name, statement_timeout, query_timeout, connectionTimeoutMillis, options };
  for (const key of Object.keys(connection) as Array<keyof ClientConfig>) if (connection[key] === undefined) delete connection[key];
  try {
    structuredClone(connection);
    return connection;
  } catch {
    return undefined;
  }
}
