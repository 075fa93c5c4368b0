import { randomUUID } from 'node:crypto';
import { migrate } from '../../db/migrate';
import { createTestDatabase, type TestDatabase } from '../../../test/factories/database';

/** 0020_queue_tickets goes down and up again with data around it; the centres keep theirs. */
describe('queue migration', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  const exists = async (table: string) => (await db.pool.query('SELECT to_regclass($1)::text AS t', [table])).rows[0].t !== null;

  it('reverts and re-applies the queue tables', async () => {
    await db.pool.query(`INSERT INTO centres (code, name, county) VALUES ('TST-MIG', 'Migration Centre', 'Nairobi')`);
    await db.pool.query(
      `INSERT INTO queue_tickets (id, centre_code, local_day, service_code, letter, number, priority_class, arrived_at, state, issued_by)
       VALUES ($1, 'TST-MIG', '2026-11-24', 'id-card-replacement', 'A', 1, 'none', now(), 'waiting', 'test')`,
      [randomUUID()],
    );
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM kiungo_migrations WHERE version >= 20');
    const reverted = await migrate(db.pool, { direction: 'down', steps: rows[0].n });
    expect(reverted.map((r) => r.name)).toContain('0020_queue_tickets');
    for (const table of ['queue_tickets', 'queue_events', 'counter_sessions', 'ticket_feedback', 'queue_ticket_numbers']) expect(await exists(table)).toBe(false);
    expect((await db.pool.query(`SELECT name FROM centres WHERE code = 'TST-MIG'`)).rows).toEqual([{ name: 'Migration Centre' }]);

    await migrate(db.pool, { direction: 'up' });
    expect(await exists('queue_tickets')).toBe(true);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM queue_tickets')).rows[0].n).toBe(0);
  });
});
