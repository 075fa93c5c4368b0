import { readdirSync } from 'node:fs';
import type { Pool } from 'pg';
import { shardOf } from '../../core/audit/audit-event';
import { AuditLog } from '../../core/audit/audit-log';
import type { SealedPositions } from '../../core/audit/chain-walk';
import { createPool } from '../../core/db/pool';
import { afterEachQuery, oneEntityPerChain, testAuditEvent } from '../factories/audit-chain';
import { asDatabaseOwner } from '../factories/audit-world';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { eventually } from '../factories/eventually';
import { describeWithPostgres } from '../factories/services';

/**
 * verify split between worker threads (core/audit/chain-walk-workers.ts): each thread walks its
 * share of the chains over its own connection, in the snapshot the coordinating transaction
 * exported, and the report is the one walk's. With 2 threads the even chains go to one and the odd
 * ones to the other. PostgreSQL only: PGlite is one session, with no snapshot to export to other
 * connections (there the suite is skipped and listed).
 */
describeWithPostgres('AuditLog.verify in worker threads', () => {
  /** Threads of this process: each worker is one while it runs. */
  const threads = () => readdirSync('/proc/self/task').length;
  let db: TestDatabase;
  let audit: AuditLog;
  const inWorkers = { workers: 2, minEventsForWorkers: 0 };

  beforeAll(async () => {
    db = await createTestDatabase();
    audit = await AuditLog.open(db.pool);
    // 120 entities over the chains, three events each.
    for (let n = 0; n < 120; n++) {
      for (const type of ['received', 'dispatched', 'completed']) await audit.append(db.pool, event(`entity-${n}`, type, n));
    }
  });

  afterAll(async () => {
    await db?.close();
  });

  const event = testAuditEvent;
  /** The pool, with every statement its connections run written down (and `after` run once it returns). */
  const recording = (pool: Pool, after: (text: string) => Promise<void> = async () => undefined) => {
    const statements: string[] = [];
    const recorded = afterEachQuery(pool, async (text) => {
      statements.push(text);
      await after(text);
    });
    return { pool: recorded, exported: () => statements.some((text) => /pg_export_snapshot/.test(text)) };
  };

  it('names every break planted in chains of different workers, as the one walk does', async () => {
    const clean = recording(db.pool);
    expect(await audit.verify(clean.pool, inWorkers)).toMatchObject({ ok: true, breaks: [], eventsChecked: 360, shards: audit.shards });
    expect(clean.exported()).toBe(true);

    const chainOf = (n: number) => shardOf(`entity-${n}`, audit.shards);
    const entityOn = (wanted: (shard: number) => boolean, skip: number[] = []) => {
      for (let n = 0; n < 120; n++) if (wanted(chainOf(n)) && !skip.includes(chainOf(n))) return n;
      throw new Error('no entity on such a chain');
    };
    const edited = entityOn((shard) => shard % 2 === 0);
    const removed = entityOn((shard) => shard % 2 === 1);
    const cut = entityOn(() => true, [chainOf(edited), chainOf(removed)]);
    const [editedEvent] = await audit.history(db.pool, 'test', `entity-${edited}`);
    const [, removedEvent] = await audit.history(db.pool, 'test', `entity-${removed}`);
    const cutShard = chainOf(cut);
    const cutSeq = Number((await db.pool.query('SELECT seq FROM audit_chain_heads WHERE shard = $1', [cutShard])).rows[0].seq);
    await asDatabaseOwner(db.pool, async () => {
      await db.pool.query(`UPDATE audit_events SET data = '{"n": -1}' WHERE shard = $1 AND seq = $2`, [editedEvent.shard, editedEvent.seq]);
      await db.pool.query('DELETE FROM audit_events WHERE shard = $1 AND seq = $2', [removedEvent.shard, removedEvent.seq]);
      await db.pool.query('DELETE FROM audit_events WHERE shard = $1 AND seq = $2', [cutShard, cutSeq]);
    });
    // Seals on chains of both workers, untouched otherwise: one names another hash (of a chain with events), one a position that is not there.
    const planted = [editedEvent.shard, removedEvent.shard, cutShard];
    const wronglySealed = chainOf(entityOn((shard) => shard % 2 === 1, planted));
    const sealedMissing = [...Array(audit.shards).keys()].find((shard) => shard % 2 === 0 && !planted.includes(shard))!;
    const sealed: SealedPositions = new Map([
      [wronglySealed, new Map([[2, [{ hash: Buffer.alloc(32, 9), sealNo: 3 }]]])],
      [sealedMissing, new Map([[500, [{ hash: Buffer.alloc(32, 8), sealNo: 4 }]]])],
    ]);

    const parallel = recording(db.pool);
    const split = await audit.verify(parallel.pool, { ...inWorkers, sealed });
    expect(parallel.exported()).toBe(true);
    const single = recording(db.pool);
    const one = await audit.verify(single.pool, { workers: 1, sealed });
    expect(single.exported()).toBe(false);
    expect(split).toEqual(one);
    expect(split).toMatchObject({ ok: false, shards: audit.shards, eventsChecked: 358 });
    const at = (shard: number) => split.breaks.filter((b) => b.shard === shard);
    expect(at(editedEvent.shard)).toEqual([{ shard: editedEvent.shard, seq: editedEvent.seq, entityType: 'test', entityId: `entity-${edited}`, reason: 'hash_mismatch' }]);
    expect(at(removedEvent.shard)).toMatchObject([
      { seq: removedEvent.seq, reason: 'sequence_gap' },
      { seq: removedEvent.seq + 1, reason: 'prev_hash_mismatch' },
    ]);
    expect(at(cutShard)).toEqual([{ shard: cutShard, seq: cutSeq, reason: 'head_mismatch' }]);
    expect(at(wronglySealed)).toMatchObject([{ seq: 2, reason: 'sealed_hash_mismatch', sealNo: 3 }]);
    expect(at(sealedMissing)).toEqual([{ shard: sealedMissing, seq: 500, reason: 'sealed_event_missing', sealNo: 4 }]);
    expect(split.breaks).toHaveLength(6);
    // Chain by chain in the order asked, as one walk lists them.
    expect(split.breaks.map((b) => b.shard)).toEqual([...split.breaks.map((b) => b.shard)].sort((a, b) => a - b));
    // Three threads deal the chains otherwise; the report is still the same.
    expect(await audit.verify(db.pool, { workers: 3, minEventsForWorkers: 0, sealed })).toEqual(one);
  });

  it('walks one snapshot: what is appended after the coordinator exported it is not seen by any worker', async () => {
    const before = await audit.verify(db.pool, { workers: 1 });
    let appended = 0;
    const racing = recording(db.pool, async (text) => {
      if (appended > 0 || !/pg_export_snapshot/.test(text)) return;
      // Before any worker starts: one event on every chain, each moving its head.
      for (const [n, id] of racers.entries()) await audit.append(db.pool, event(id, 'during', n));
      appended = racers.length;
    });
    const racers = oneEntityPerChain('racer', audit.shards);
    expect(await audit.verify(racing.pool, inWorkers)).toEqual(before);
    expect(appended).toBe(audit.shards);
    const after = await audit.verify(db.pool, inWorkers);
    expect(after.eventsChecked).toBe(before.eventsChecked + audit.shards);
    expect(after).toEqual(await audit.verify(db.pool, { workers: 1 }));
  });

  it('fails the verify when a worker fails, leaving no thread, connection or unhandled rejection behind', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const pool = createPool({ url: db.url, max: 2, applicationName: 'kiungo-test-verify-timeout', statementTimeoutMs: 300 });
    const locker = await db.pool.connect();
    try {
      // Once, so that what the first workers start for good (the thread pool of the native modules they load) is counted.
      await audit.verify(pool, inWorkers);
      // The workers' reads of audit_events wait for the lock and time out; the coordinator never reads that table.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE');
      const threadsBefore = threads();
      const failure = await audit.verify(pool, inWorkers).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({ code: '57014', message: expect.stringMatching(/^verify worker: .*statement timeout/) });
      await locker.query('ROLLBACK');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      expect(threads()).toBeLessThanOrEqual(threadsBefore);
      // Nothing of the failed verify stays connected: only the pool's own (idle) connections, none in a transaction.
      // A closed connection's backend leaves pg_stat_activity a moment after the client has gone (longer on a busy box).
      const connected = async () =>
        (
          await db.pool.query<{ n: number; busy: number }>(
            `SELECT count(*)::int AS n, count(*) FILTER (WHERE state <> 'idle')::int AS busy FROM pg_stat_activity WHERE application_name = 'kiungo-test-verify-timeout'`,
          )
        ).rows[0];
      const settled = await eventually(connected, (now) => now.n === pool.totalCount && now.busy === 0, 5_000).catch(() => connected());
      expect(settled).toEqual({ n: pool.totalCount, busy: 0 });
      // The pool is still good for the next verify.
      expect(await audit.verify(pool, inWorkers)).toMatchObject({ breaks: expect.any(Array) });
    } finally {
      locker.release();
      process.off('unhandledRejection', onUnhandled);
      await pool.end();
    }
  });

  it('walks on the caller\'s thread in the caller\'s transaction when given a client', async () => {
    const { pool, exported } = recording(db.pool);
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const report = await audit.verify(client, inWorkers);
      await client.query('COMMIT');
      expect(report).toEqual(await audit.verify(db.pool, { workers: 1 }));
    } finally {
      client.release();
    }
    expect(exported()).toBe(false);
  });

  it('walks on one thread on the embedded PGlite, whose connections share one session', async () => {
    const embedded = await createTestDatabase({ kind: 'pglite' });
    try {
      const onPglite = await AuditLog.open(embedded.pool);
      for (let n = 0; n < 20; n++) await onPglite.append(embedded.pool, event(`entity-${n}`, 'received', n));
      const { pool, exported } = recording(embedded.pool);
      expect(await onPglite.verify(pool, inWorkers)).toMatchObject({ ok: true, breaks: [], eventsChecked: 20 });
      expect(exported()).toBe(false);
    } finally {
      await embedded.close();
    }
  });
});
