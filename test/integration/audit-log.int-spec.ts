import { AuditLog, fromAnchor, MAX_PLAIN_SHAPES } from '../../core/audit/audit-log';
import { chainHash, eventContent, shardOf, type NewAuditEvent } from '../../core/audit/audit-event';
import { afterEachQuery, oneEntityPerChain, testAuditEvent } from '../factories/audit-chain';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';

/**
 * The audit chain under concurrent writers, on the real database: PostgreSQL only. PGlite is one
 * session that runs whole transactions one at a time, so a writer racing an open verify (or a head
 * held by a transaction) waits for it forever instead of interleaving; there the suite is skipped
 * and listed, not hung.
 */
describeWithPostgres('AuditLog', () => {
  let db: TestDatabase;
  let audit: AuditLog;

  beforeAll(async () => {
    db = await createTestDatabase({ poolMax: 12 });
    audit = await AuditLog.open(db.pool);
  });

  afterAll(async () => {
    await db?.close();
  });

  const event = testAuditEvent;

  it('keeps every chain intact when many writers append at once', async () => {
    const entities = Array.from({ length: 40 }, (_, i) => `entity-${i}`);
    await Promise.all(
      entities.flatMap((id) => [
        audit.append(db.pool, event(id, 'one', 1)),
        db.pool.query(...statement(audit, [event(id, 'two', 2), event(id, 'three', 3)])),
      ]),
    );
    const report = await audit.verify(db.pool);
    expect(report).toMatchObject({ ok: true, breaks: [], eventsChecked: 120 });
    for (const id of entities.slice(0, 3)) {
      const history = await audit.history(db.pool, 'test', id);
      expect(history.map((e) => e.type).sort()).toEqual(['one', 'three', 'two']);
      // Events appended together stay in order on the chain.
      expect(history.findIndex((e) => e.type === 'two')).toBeLessThan(history.findIndex((e) => e.type === 'three'));
    }
  });

  it('keeps one chain gapless when every writer waits on its head, and a writer that rolls back leaves no trace', async () => {
    // Every entity on one chain, so each append waits for the one before it to commit or roll back,
    // then reads the head as that one left it (the function's own statement, a fresh snapshot).
    const shard = shardOf('queued-0', audit.shards);
    const onChain = Array.from({ length: 40 * audit.shards }, (_, i) => `queued-${i}`).filter((id) => shardOf(id, audit.shards) === shard);
    // The writers that roll back append to the same chain as the others, so that they hold its head.
    const entities = onChain.slice(0, 12);
    const undone = onChain.slice(12, 16);
    expect(undone).toHaveLength(4);
    const head = async () => (await db.pool.query<{ seq: string }>('SELECT seq FROM audit_chain_heads WHERE shard = $1', [shard])).rows[0].seq;
    const before = Number(await head());
    const rolledBack = async (id: string): Promise<void> => {
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(...statement(audit, [event(id, 'undone', 0)]));
        await client.query('SELECT pg_sleep(0.02)'); // the head stays locked while the others queue
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
    };
    await Promise.all(
      entities.flatMap((id, i) => [
        db.pool.query(...statement(audit, [event(id, 'two', 2), event(id, 'three', 3)])),
        i % 3 === 0 ? rolledBack(undone[i / 3]) : audit.append(db.pool, event(id, 'one', 1)),
      ]),
    );
    const appended = 2 * entities.length + entities.filter((_, i) => i % 3 !== 0).length;
    expect(Number(await head())).toBe(before + appended);
    const { rows } = await db.pool.query<{ seq: string; type: string }>('SELECT seq, type FROM audit_events WHERE shard = $1 AND seq > $2 ORDER BY seq', [shard, before]);
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: appended }, (_, i) => before + i + 1));
    expect(rows.some((r) => r.type === 'undone')).toBe(false);
    expect((await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE type = 'undone'`)).rows[0].n).toBe(0);
    const report = await audit.verify(db.pool, { shards: [shard] });
    expect(report).toMatchObject({ ok: true, breaks: [], eventsChecked: before + appended });
  });

  it('verifies one moment of the chains: an event appended while verify walks them is no break', async () => {
    // The append lands after verify read the events and before it read the chain heads: a real
    // writer doing its work between verify's statements (a busy system is never still).
    for (let n = 0; n < 20; n++) await audit.append(db.pool, event(`walker-${n}`, 'before', n));
    const before = await audit.verify(db.pool);
    expect(before.ok).toBe(true);
    let appended = false;
    const appendOnce = async (text: string): Promise<void> => {
      if (appended || !/FROM audit_events/.test(text)) return;
      appended = true;
      // Every chain gets one: whichever shard the walk read, its head moves on.
      for (const [n, id] of racers.entries()) await audit.append(db.pool, event(id, 'during', n));
    };
    const racers = oneEntityPerChain('racer', audit.shards);
    const during = await audit.verify(afterEachQuery(db.pool, appendOnce));
    expect(appended).toBe(true);
    expect(during).toMatchObject({ ok: true, breaks: [], eventsChecked: before.eventsChecked });
    expect(await audit.verify(db.pool)).toMatchObject({ ok: true, breaks: [], eventsChecked: before.eventsChecked + audit.shards });
  });

  it('appends nothing, and moves no chain head, when the anchor yields no row', async () => {
    const before = await audit.verify(db.pool);
    const heads = async () => (await db.pool.query<{ shard: number; seq: string }>('SELECT shard, seq FROM audit_chain_heads ORDER BY shard')).rows;
    const headsBefore = await heads();
    const chain = audit.chainCtes([event('ghost', 'never', 1)], 1, 'anchor');
    // A constant-false anchor, and an empty scan the planner cannot fold away (as an insert that met a conflict).
    await db.pool.query(`WITH anchor AS (SELECT 1 WHERE false), ${chain.ctes} SELECT 1`, chain.params);
    await db.pool.query(`WITH anchor AS (SELECT 1 FROM audit_chain_heads WHERE shard < 0), ${chain.ctes} SELECT 1`, chain.params);
    expect(await audit.history(db.pool, 'test', 'ghost')).toEqual([]);
    expect(await heads()).toEqual(headsBefore);
    expect(await audit.verify(db.pool)).toMatchObject({ ok: true, eventsChecked: before.eventsChecked });
  });

  it('appends an event whose entity and values the statement itself computes, hashed as verification recomputes them', async () => {
    // What only the statement knows (the row a pick chose), with every character JSON escapes.
    const awkward = 'id "quoted" \\ back\nline \t tab \u0001 ü 🙂 </script>';
    const chain = audit.chainCtes(
      [
        {
          entityType: 'test',
          entityId: fromAnchor('picked'),
          type: 'picked',
          actor: 'system:test',
          data: { name: fromAnchor('picked'), first: fromAnchor('first'), known: { z: 1, a: 'x' } },
          occurredAt: new Date(Date.UTC(2026, 10, 22, 8, 0, 0, 7)),
        },
      ],
      2,
      'anchor',
    );
    await db.pool.query(`WITH anchor AS (SELECT $1::text AS picked, true AS first), ${chain.ctes} SELECT 1`, [awkward, ...chain.params]);
    const [stored] = await audit.history(db.pool, 'test', awkward);
    expect(stored).toMatchObject({ shard: shardOf(awkward, audit.shards), entityId: awkward, data: { name: awkward, first: true, known: { z: 1, a: 'x' } } });
    expect(stored.hash.equals(chainHash(stored.prevHash, stored.seq, eventContent(stored)))).toBe(true);
    expect((await audit.verify(db.pool)).breaks).toEqual([]);
  });

  it('walks text columns holding what its round text must quote (tabs, line breaks, braces, commas, quotes, NULL), and finds each one edited', async () => {
    // verify reads a chain's events as one text, the text columns as an array literal: none of these may shift a field.
    const awkward = ['tab\there', 'line\nbreak', '{brace}', 'comma,here', '"quoted"', 'back\\slash', 'NULL', 'null', ' spaced ', '', 'ü 🙂 \u0001'];
    const events = awkward.map((text, i): NewAuditEvent => ({
      entityType: i % 2 ? text : 'test',
      entityId: `awkward-${i}-${text}`,
      type: text,
      actor: text,
      data: { text, [text]: { z: [text, 1.5, -0], a: null }, longer_key: true, k: i },
      occurredAt: new Date(Date.UTC(2026, 10, 22, 8, 0, 0, i)),
    }));
    for (const e of events) await audit.append(db.pool, e);
    expect((await audit.verify(db.pool)).breaks).toEqual([]);
    for (const [i, edit] of [
      [0, `actor = actor || E'\\t'`],
      [1, `entity_type = 'test', actor = actor || 'x'`],
      [2, `type = 'comma,here'`],
      [3, `data = jsonb_set(data, '{k}', '4')`],
      [9, `actor = 'NULL'`],
    ] as const) {
      const shard = shardOf(events[i].entityId, audit.shards);
      const client = await db.pool.connect();
      try {
        await client.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
        const { rows } = await client.query<{ seq: string }>('SELECT seq FROM audit_events WHERE shard = $1 AND entity_id = $2', [shard, events[i].entityId]);
        const seq = Number(rows[0].seq);
        await client.query('CREATE TEMP TABLE kept AS SELECT * FROM audit_events WHERE shard = $1 AND seq = $2', [shard, seq]);
        const { rows: edited } = await client.query<{ entity_type: string }>(`UPDATE audit_events SET ${edit} WHERE shard = $1 AND seq = $2 RETURNING entity_type`, [shard, seq]);
        const report = await audit.verify(db.pool);
        expect([edit, report.breaks]).toEqual([edit, [{ shard, seq, entityType: edited[0].entity_type, entityId: events[i].entityId, reason: 'hash_mismatch' }]]);
      } finally {
        // Put the event back whatever the check found, so a failure here does not break the file's later tests.
        await client.query('DELETE FROM audit_events WHERE (shard, seq) IN (SELECT shard, seq FROM kept)').catch(() => undefined);
        await client.query('INSERT INTO audit_events SELECT * FROM kept').catch(() => undefined);
        await client.query('DROP TABLE IF EXISTS kept');
        await client.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
        client.release();
      }
    }
    expect((await audit.verify(db.pool)).breaks).toEqual([]);
  });

  it('finds a deleted tail event through the head row', async () => {
    await audit.append(db.pool, event('tail', 'last', 9));
    const [last] = await audit.history(db.pool, 'test', 'tail');
    await db.pool.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await db.pool.query('DELETE FROM audit_events WHERE shard = $1 AND seq = $2', [last.shard, last.seq]);
    await db.pool.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    const report = await audit.verify(db.pool);
    expect(report.ok).toBe(false);
    expect(report.breaks).toEqual([{ shard: last.shard, seq: last.seq, reason: 'head_mismatch' }]);
  });

  it('refuses an event outside the chains, and the removal of any chain head', async () => {
    // A forged event on a chain verify never walks (one past the last head) is refused outright.
    await expect(
      db.pool.query(
        `INSERT INTO audit_events (shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash)
         VALUES ($1, 1, 'test', 'outside', 'x', 'system:test', '{}', now(), $2, $2)`,
        [audit.shards, Buffer.alloc(32)],
      ),
    ).rejects.toThrow(/audit_events_shard_known/);
    const heads = async () => (await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_chain_heads')).rows[0].n;
    await expect(db.pool.query('DELETE FROM audit_chain_heads WHERE shard = $1', [audit.shards - 1])).rejects.toThrow(/never removed/);
    await expect(db.pool.query('TRUNCATE audit_chain_heads CASCADE')).rejects.toThrow(/never removed/);
    expect(await heads()).toBe(String(audit.shards));
  });

  it('keeps the SQL of at most MAX_PLAIN_SHAPES shapes, and appends right with a shape whose SQL was dropped', async () => {
    const log = await AuditLog.open(db.pool);
    // Each anchor's name is another shape.
    const append = async (anchor: string, e: NewAuditEvent) => {
      const chain = log.chainCtes([e], 1, anchor);
      await db.pool.query(`WITH ${anchor} AS (SELECT 1), ${chain.ctes} SELECT 1`, chain.params);
    };
    for (let i = 0; i <= MAX_PLAIN_SHAPES; i++) await append(`shape_${i}`, event(`shaped-${i}`, 'kept', i));
    expect(log['plainCtes'].size).toBe(MAX_PLAIN_SHAPES);
    // The first shape's SQL was dropped the most recently: made again, it appends as before.
    await append('shape_0', event('shaped-0', 'again', 1));
    expect(log['plainCtes'].size).toBe(MAX_PLAIN_SHAPES);
    expect((await log.history(db.pool, 'test', 'shaped-0')).map((e) => [e.type, e.data])).toEqual([
      ['kept', { n: 0, nested: { z: 1, a: ['x', 2] } }],
      ['again', { n: 1, nested: { z: 1, a: ['x', 2] } }],
    ]);
    // Its chain alone: the tests above leave others broken on purpose.
    expect(await log.verify(db.pool, { shards: [shardOf('shaped-0', log.shards)] })).toMatchObject({ ok: true, breaks: [] });
  });

  it('appends nothing when the head would move to a hash its last event does not have (migration 0137)', async () => {
    const pair = [event('diverged', 'two', 2), event('diverged', 'three', 3)];
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      // A fold that goes wrong only for several contents at once: the head (folded over both) and the
      // events (hashed one at a time) no longer agree, as if the two hashes were written apart.
      await client.query(`CREATE OR REPLACE FUNCTION audit_chain_fold(p_hash bytea, p_seq bigint, p_contents text[]) RETURNS bytea
        LANGUAGE sql STABLE AS $$ SELECT CASE WHEN cardinality(p_contents) > 1 THEN sha256('not the chain'::bytea)
          ELSE sha256(p_hash || int8send(p_seq + 1) || convert_to(p_contents[1], 'UTF8')) END $$`);
      await expect(client.query(...statement(audit, pair))).rejects.toThrow(/head moved to a hash its last event does not have/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    // The real fold (the replacement above was rolled back with its transaction): the same pair appends and verifies.
    await db.pool.query(...statement(audit, pair));
    expect((await audit.history(db.pool, 'test', 'diverged')).map((e) => e.type)).toEqual(['two', 'three']);
    expect(await audit.verify(db.pool, { shards: [shardOf('diverged', audit.shards)] })).toMatchObject({ ok: true, breaks: [] });
  });

  it('appends nothing for an event whose text a text column would not keep as it is (an unpaired surrogate, a NUL)', async () => {
    // pg sends an unpaired surrogate as U+FFFD, while the content hashed in SQL holds its JSON escape
    // (\udXXX): the event would fail verification for ever. A NUL is refused by PostgreSQL itself.
    const cases: Array<[string, Partial<NewAuditEvent>]> = [
      ['actor', { actor: 'officer-\ud800' }],
      ['actor', { actor: 'officer-\udc00x' }],
      ['entityId', { entityId: 'unpaired-\ud83d' }],
      ['type', { type: 'cut-\ud83d' }],
      ['entityType', { entityType: 'test\udfff' }],
      ['actor', { actor: 'nul-\u0000' }],
    ];
    for (const [field, change] of cases) {
      const bad = { ...event('unpaired-text', 'one', 1), ...change };
      const shard = shardOf(bad.entityId, audit.shards);
      const head = async () => (await db.pool.query<{ seq: string }>('SELECT seq FROM audit_chain_heads WHERE shard = $1', [shard])).rows[0].seq;
      const before = await head();
      await expect(audit.append(db.pool, bad)).rejects.toThrow(field);
      expect(() => statement(audit, [event(bad.entityId, 'zero', 0), bad])).toThrow(field);
      expect(await head()).toBe(before);
      expect(await audit.verify(db.pool, { shards: [shard] })).toMatchObject({ ok: true, breaks: [] });
    }
    // A pair that is whole is text like any other: appended, and verified.
    await audit.append(db.pool, { ...event('paired-😀', 'one', 1), actor: 'officer-😀' });
    expect(await audit.verify(db.pool, { shards: [shardOf('paired-😀', audit.shards)] })).toMatchObject({ ok: true, breaks: [] });
  });
});

function statement(audit: AuditLog, events: NewAuditEvent[]): [string, unknown[]] {
  const chain = audit.chainCtes(events, 1, 'anchor');
  return [`WITH anchor AS (SELECT 1), ${chain.ctes} SELECT 1`, chain.params];
}
