/**
 * A worker thread of verify (chain-walk-workers.ts): walks its share of the chains over a connection
 * of its own, inside the snapshot the coordinating transaction exported, and posts the outcomes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Client, type ClientConfig } from 'pg';
import { walkChains, type ChainOutcome, type SealedPositions } from './chain-walk';

export interface ChainWalkJob {
  connection: ClientConfig;
  /** What pg_export_snapshot() returned in the coordinating transaction. */
  snapshot: string;
  shards: number[];
  sealed: SealedPositions;
  /** Events per round of this thread's walk. */
  roundEvents: number;
  /** Breaks kept per chain (walkChains' `keep`). */
  keep: number;
}

/** A failure crosses as its message and SQLSTATE, so the caller still tells a timeout from a lost connection. */
export type ChainWalkReply = { outcomes: ChainOutcome[] } | { failed: { message: string; code?: string } };

/** A snapshot id as PostgreSQL writes it (`00000003-0000001B-1`): the one value written into SQL. */
const SNAPSHOT_ID = /^[0-9A-F]+(-[0-9A-F]+)+$/i;

async function walkShare(job: ChainWalkJob): Promise<ChainOutcome[]> {
  if (!SNAPSHOT_ID.test(job.snapshot)) throw new Error(`not a snapshot id: ${job.snapshot}`);
  const client = new Client(job.connection);
  // A connection that dies mid-walk fails the query being run; without a listener it would end the thread.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT '${job.snapshot}'`);
    await client.query(`SET LOCAL TIME ZONE 'UTC'`);
    const outcomes = await walkChains(client, job.shards, job.sealed, job.roundEvents, job.keep);
    await client.query('COMMIT');
    return outcomes;
  } finally {
    await client.end();
  }
}

const job = (workerData as { kiungoChainWalk?: ChainWalkJob } | null)?.kiungoChainWalk;
if (parentPort && job) {
  const port = parentPort;
  walkShare(job).then(
    (outcomes) => port.postMessage({ outcomes } satisfies ChainWalkReply),
    (error: unknown) => {
      const code = typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;
      port.postMessage({ failed: { message: error instanceof Error ? error.message : String(error), code } } satisfies ChainWalkReply);
    },
  );
}
