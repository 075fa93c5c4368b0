import { randomBytes, randomUUID } from 'node:crypto';
import { AuditLog } from '../../core/audit/audit-log';
import { PgAgencyModeRepository } from '../../core/agencies/pg/agency-mode.pg-repository';
import { PgTransactionRepository } from '../../core/transactions/pg/transaction.pg-repository';
import { createTestDatabase, type TestDatabase } from '../factories/database';

/**
 * The replay claim reads the agency's stored mode itself, so a replica whose cached mode is a
 * second old cannot send a stored transaction after an operator switched the agency to manual.
 */
describe('claiming the next stored transaction to replay', () => {
  let db: TestDatabase;
  let modes: PgAgencyModeRepository;
  let transactions: PgTransactionRepository;
  const owner = 'worker-a';

  beforeAll(async () => {
    db = await createTestDatabase();
    const audit = await AuditLog.open(db.pool);
    modes = new PgAgencyModeRepository(db.pool, audit);
    transactions = new PgTransactionRepository(db.pool, audit);
  });

  afterAll(async () => {
    await db?.close();
  });

  async function storeBacklog(n: number): Promise<void> {
    for (let i = 0; i < n; i += 1) {
      await db.pool.query(
        `INSERT INTO transactions (id, service_code, agency_code, channel, submitted_by, citizen_id_hash, citizen_sealed, payload_sealed,
           state, attempts, max_attempts, replay_pending, created_at)
         VALUES ($1, 'id-card-replacement', 'nrb', 'counter', 'test', 'h', $2, $2, 'manual', 1, 5, true, now() + make_interval(secs => $3))`,
        [randomUUID(), randomBytes(8), i],
      );
    }
  }

  const setStoredMode = (mode: string, paused = false) =>
    db.pool.query(`UPDATE agency_modes SET mode = $2, replay_paused = $3, reason = 'test' WHERE agency_code = $1`, ['nrb', mode, paused]);

  it('claims the oldest stored transaction while the agency is auto, and nothing once it is manual or paused', async () => {
    await storeBacklog(3);
    expect(await modes.acquireReplayLease('nrb', owner, 60_000)).toBe(true);
    const first = await transactions.claimNextReplay('nrb', owner, 60_000, new Date());
    expect(first).not.toBeNull();

    await setStoredMode('manual');
    expect(await transactions.claimNextReplay('nrb', owner, 60_000, new Date())).toBeNull();

    await setStoredMode('auto', true);
    expect(await transactions.claimNextReplay('nrb', owner, 60_000, new Date())).toBeNull();

    await setStoredMode('auto');
    // Still the oldest stored transaction (its replay was never applied), as a new attempt.
    const again = await transactions.claimNextReplay('nrb', owner, 60_000, new Date());
    expect(again?.id).toBe(first!.id);
    expect(again?.attempts).toBe(first!.attempts + 1);
  });

  it('honours a maintenance window only while it lasts', async () => {
    const now = new Date();
    const minutes = (n: number): Date => new Date(now.getTime() + n * 60_000);
    await db.pool.query(`UPDATE agency_modes SET mode = 'maintenance', window_start = $1, window_end = $2 WHERE agency_code = 'nrb'`, [minutes(-1), minutes(60)]);
    expect(await transactions.claimNextReplay('nrb', owner, 60_000, new Date())).toBeNull();
    await db.pool.query(`UPDATE agency_modes SET window_start = $1, window_end = $2 WHERE agency_code = 'nrb'`, [minutes(-120), minutes(-60)]);
    expect(await transactions.claimNextReplay('nrb', owner, 60_000, new Date())).not.toBeNull();
  });
});
