import { migrate } from '../../db/migrate';
import { createTestDatabase, type TestDatabase } from '../../../test/factories/database';
import { PgUssdSessionRepository } from './ussd-session.pg-repository';

/** USSD sessions on a real database: optimistic saves, purge of expired ones, migration 0050 down and up. */
describe('PgUssdSessionRepository', () => {
  let db: TestDatabase;
  let sessions: PgUssdSessionRepository;
  const at = new Date('2026-11-24T06:00:00Z');
  const write = (sessionId: string, state: string, expiresAt = new Date(at.getTime() + 180_000)) => ({
    sessionId,
    phoneHash: 'hash-of-phone',
    stateSealed: Buffer.from(state),
    at,
    expiresAt,
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    sessions = new PgUssdSessionRepository(db.pool);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('creates once, then saves only over the version it read', async () => {
    expect(await sessions.save(write('s-1', 'one'), null)).toBe(true);
    expect(await sessions.save(write('s-1', 'again'), null)).toBe(false);
    const first = await sessions.find('s-1');
    expect(first).toMatchObject({ sessionId: 's-1', phoneHash: 'hash-of-phone', version: 0 });
    expect(first?.stateSealed.toString()).toBe('one');

    expect(await sessions.save(write('s-1', 'two'), 0)).toBe(true);
    // A second writer that read version 0 too loses.
    expect(await sessions.save(write('s-1', 'stale'), 0)).toBe(false);
    const second = await sessions.find('s-1');
    expect(second?.version).toBe(1);
    expect(second?.stateSealed.toString()).toBe('two');
  });

  it('purges expired sessions only, in bounded batches', async () => {
    for (const id of ['old-1', 'old-2', 'old-3']) await sessions.save(write(id, 'x', new Date(at.getTime() - 1000)), null);
    await sessions.save(write('live', 'x'), null);
    expect(await sessions.purgeExpired(at, 2)).toBe(2);
    expect(await sessions.purgeExpired(at, 100)).toBe(1);
    expect(await sessions.find('live')).not.toBeNull();
  });

  it('reverts and re-applies 0050_ussd_sessions with data in it', async () => {
    await sessions.save(write('kept-until-down', 'x'), null);
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM kiungo_migrations WHERE version >= 50');
    const reverted = await migrate(db.pool, { direction: 'down', steps: rows[0].n });
    expect(reverted.map((r) => r.name)).toContain('0050_ussd_sessions');
    expect((await db.pool.query(`SELECT to_regclass('ussd_sessions')::text AS t`)).rows[0].t).toBeNull();
    await migrate(db.pool, { direction: 'up' });
    expect(await sessions.find('kept-until-down')).toBeNull();
    expect(await sessions.save(write('after-up', 'x'), null)).toBe(true);
  });
});
