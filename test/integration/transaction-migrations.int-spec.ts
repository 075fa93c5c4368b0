/**
 * The transaction migrations down and up with rows in them (STYLE.md habit 8, as backstage's
 * migration tests): 0001–0003 (transactions, the audit chain, idempotency keys), 0040 (manual
 * fallback), 0070 (idempotency claims), 0090 (replay failures and tasks), 0091 (the notice outbox), 0130 (data keys) and 0132 (256 audit
 * chains), each from a folder holding the real files up to it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { genesisHash, shardOf, type NewAuditEvent } from '../../core/audit/audit-event';
import { AuditLog } from '../../core/audit/audit-log';
import type { AuditFinding } from '../../core/audit/audit-finding';
import { TransactionHistoryCheck } from '../../core/transactions/pg/transaction-history.check';
import { defaultMigrationsDir, migrate, MIGRATIONS_TABLE } from '../../core/db/migrate';
import { pgErrorCode } from '../../core/db/pool';
import { oneEntityPerChain } from '../factories/audit-chain';
import { createTestDatabase, type TestDatabase } from '../factories/database';

describe('transaction migrations, down and up with rows in them', () => {
  let db: TestDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase({ migrations: false });
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    dir = await mkdtemp(path.join(tmpdir(), 'kiungo-tx-migrations-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The real migration files up to `version`, up and down. */
  async function migrationsUpTo(version: number): Promise<void> {
    const source = defaultMigrationsDir();
    for (const name of await readdir(source)) {
      if (Number(name.slice(0, 4)) <= version) await copyFile(path.join(source, name), path.join(dir, name));
    }
  }
  const query = async <T extends Record<string, unknown>>(sql: string, values: unknown[] = []) => (await db.pool.query<T>(sql, values)).rows;
  const exists = async (relation: string) => (await query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [relation]))[0].found !== null;
  const columns = async (table: string) =>
    (await query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY column_name`, [table])).map((row) => row.column_name);
  const versions = async () => (await query<{ version: number }>(`SELECT version FROM ${MIGRATIONS_TABLE} ORDER BY version`)).map((row) => row.version);

  async function insertTransaction(state: string, extra: Record<string, unknown> = {}, id = randomUUID()): Promise<string> {
    const names = ['id', 'service_code', 'agency_code', 'channel', 'submitted_by', 'citizen_id_hash', 'citizen_sealed', 'payload_sealed', 'state', 'attempts', 'max_attempts', ...Object.keys(extra)];
    const values = [id, 'id-card-replacement', 'nrb', 'counter', 'officer-1', 'hash', randomBytes(8), randomBytes(8), state, 1, 4, ...Object.values(extra)];
    await db.pool.query(`INSERT INTO transactions (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`, values);
    return id;
  }

  it('0001–0003: each step down keeps the tables below it and their rows; back up, the chain starts again and verifies', async () => {
    await migrationsUpTo(3);
    await migrate(db.pool, { dir });
    // Today's AuditLog appends through 0131's function; it reads only the chain heads, which 0002 made.
    await db.pool.query(await readFile(path.join(defaultMigrationsDir(), '0131_audit_chain_advance.sql'), 'utf8'));
    const id = await insertTransaction('completed', { agency_ref: 'NRB-1', idempotency_scope: 'channel', idempotency_key: 'k1', request_hash: 'h' });
    const audit = await AuditLog.open(db.pool);
    await audit.append(db.pool, { entityType: 'transaction', entityId: id, type: 'received', actor: 'officer-1', data: {}, occurredAt: new Date() });
    await db.pool.query(`INSERT INTO idempotency_keys (scope, key, route, request_hash, status, body) VALUES ('channel', 'k1', 'POST /v1/transactions', 'h', 200, '{}')`);

    await migrate(db.pool, { dir, direction: 'down' });
    expect(await exists('idempotency_keys')).toBe(false);
    expect((await audit.verify(db.pool)).ok).toBe(true);
    expect(await query('SELECT id, state, agency_ref FROM transactions')).toEqual([{ id, state: 'completed', agency_ref: 'NRB-1' }]);

    await migrate(db.pool, { dir, direction: 'down' });
    expect(await exists('audit_events')).toBe(false);
    expect(await exists('audit_chain_heads')).toBe(false);
    expect(await query('SELECT id FROM transactions')).toEqual([{ id }]);
    expect(await versions()).toEqual([1]);

    await migrate(db.pool, { dir });
    expect(await versions()).toEqual([1, 2, 3]);
    const reopened = await AuditLog.open(db.pool);
    expect(reopened.shards).toBe(16);
    await reopened.append(db.pool, { entityType: 'transaction', entityId: id, type: 'completed', actor: 'system:worker', data: {}, occurredAt: new Date() });
    expect(await reopened.verify(db.pool)).toMatchObject({ ok: true, eventsChecked: 1 });
    expect(await query('SELECT count(*)::int AS n FROM idempotency_keys')).toEqual([{ n: 0 }]);
    // The unique idempotency key of the transactions table survived the round trip.
    await expect(insertTransaction('received', { idempotency_scope: 'channel', idempotency_key: 'k1', request_hash: 'other' })).rejects.toMatchObject({ code: '23505' });

    await migrate(db.pool, { dir, direction: 'down', steps: Number.POSITIVE_INFINITY });
    expect(await exists('transactions')).toBe(false);
    expect(await versions()).toEqual([]);
  });

  it('0040 (manual fallback) down folds parked and conflict back into manual and drops the fallback facts; up restores the schema', async () => {
    await migrationsUpTo(40);
    await migrate(db.pool, { dir });
    const parked = await insertTransaction('parked', { fallback: 'store-and-forward', parked_reason: JSON.stringify({ code: 'HTTP_404', reason: 'r', at: 'now' }) });
    const conflict = await insertTransaction('conflict', {
      agency_ref: 'NRB-2',
      manual_outcome: JSON.stringify({ outcome: 'completed', agencyRef: 'PAPER-1' }),
      conflict: JSON.stringify({ agency: { agencyRef: 'NRB-2', outcome: 'completed', at: 'now' } }),
    });
    const waiting = await insertTransaction('manual', { fallback: 'store-and-forward', provisional_ref: 'NRB-7K4Q-2P', replay_pending: true });
    const replayed = await insertTransaction('completed', { agency_ref: 'NRB-3', fallback: 'store-and-forward', replayed_at: new Date() });
    await db.pool.query(`INSERT INTO agency_modes (agency_code, mode, reason) VALUES ('nrb', 'manual', 'down')`);
    await db.pool.query(`INSERT INTO citizen_notices (transaction_id, kind, agency_ref) VALUES ($1, 'transaction-completed', 'NRB-3')`, [replayed]);

    await migrate(db.pool, { dir, direction: 'down' });
    expect(await versions()).not.toContain(40);
    expect(await exists('agency_modes')).toBe(false);
    expect(await exists('citizen_notices')).toBe(false);
    expect(await exists('transactions_provisional_ref')).toBe(false);
    for (const gone of ['fallback', 'provisional_ref', 'replay_pending', 'replayed_at', 'manual_outcome', 'parked_reason', 'conflict']) {
      expect(await columns('transactions')).not.toContain(gone);
    }
    const states = await query<{ id: string; state: string; agency_ref: string | null }>('SELECT id, state, agency_ref FROM transactions ORDER BY state, id');
    expect(new Map(states.map((row) => [row.id, row.state]))).toEqual(
      new Map([
        [parked, 'manual'],
        [conflict, 'manual'],
        [waiting, 'manual'],
        [replayed, 'completed'],
      ]),
    );
    const refused = await insertTransaction('parked').catch((error: unknown) => pgErrorCode(error));
    expect(refused).toBe('23514'); // the state check no longer knows `parked`

    await migrate(db.pool, { dir });
    expect(await versions()).toContain(40);
    expect(await columns('transactions')).toEqual(expect.arrayContaining(['fallback', 'provisional_ref', 'replay_pending', 'replayed_at', 'manual_outcome', 'parked_reason', 'conflict']));
    expect(await query('SELECT count(*)::int AS n FROM transactions WHERE replay_pending OR fallback IS NOT NULL')).toEqual([{ n: 0 }]);
    await insertTransaction('parked', { provisional_ref: 'NRB-AAAA-22', fallback: 'store-and-forward' });
    await expect(insertTransaction('manual', { provisional_ref: 'NRB-AAAA-22' })).rejects.toMatchObject({ code: '23505' });
    await db.pool.query(`INSERT INTO agency_modes (agency_code, mode) VALUES ('nrb', 'auto')`);
    expect(await query('SELECT count(*)::int AS n FROM transactions')).toEqual([{ n: 5 }]);
  });

  it('0070 (idempotency claims) down drops the claims still in progress and keeps every answer; up claims again', async () => {
    await migrationsUpTo(70);
    await migrate(db.pool, { dir });
    await db.pool.query(`INSERT INTO idempotency_keys (scope, key, route, request_hash, status, body) VALUES ('c', 'answered', 'POST /v1/bookings', 'h', 201, '{"ref": "K7QM"}')`);
    await db.pool.query(`INSERT INTO idempotency_keys (scope, key, route, request_hash) VALUES ('c', 'in-flight', 'POST /v1/bookings', 'h')`);

    await migrate(db.pool, { dir, direction: 'down' });
    expect(await query('SELECT key, status, body FROM idempotency_keys')).toEqual([{ key: 'answered', status: 201, body: { ref: 'K7QM' } }]);
    expect(await columns('idempotency_keys')).not.toContain('claimed_at');
    await expect(db.pool.query(`INSERT INTO idempotency_keys (scope, key, route, request_hash) VALUES ('c', 'x', 'r', 'h')`)).rejects.toMatchObject({ code: '23502' });

    await migrate(db.pool, { dir });
    await db.pool.query(`INSERT INTO idempotency_keys (scope, key, route, request_hash) VALUES ('c', 'in-flight', 'POST /v1/bookings', 'h')`);
    const rows = await query<{ key: string; claimed: boolean }>('SELECT key, claimed_at IS NOT NULL AS claimed FROM idempotency_keys ORDER BY key');
    expect(rows).toEqual([
      { key: 'answered', claimed: true },
      { key: 'in-flight', claimed: true },
    ]);
    // An answer without a status (or a status without an answer) is refused.
    await expect(db.pool.query(`UPDATE idempotency_keys SET status = 201 WHERE key = 'in-flight'`)).rejects.toMatchObject({ code: '23514' });
  });
  it('0090 (replay failures and tasks) down keeps the transactions without their counters and drops the tasks; up counts from zero', async () => {
    await migrationsUpTo(90);
    await migrate(db.pool, { dir });
    const id = await insertTransaction('manual', { replay_pending: true, fallback: 'store-and-forward', replay_failures: 3, breaker_refusals: 2 });
    await db.pool.query(
      `INSERT INTO replay_tasks (id, status, filters, batch_size, per_second, total, next_batch_at, created_by, created_at, updated_at)
       VALUES ($1, 'running', '{"states": ["parked"]}', 50, 10, 0, now(), 'ops-1', now(), now())`,
      [randomUUID()],
    );
    await expect(db.pool.query(`UPDATE transactions SET replay_failures = -1 WHERE id = $1`, [id])).rejects.toMatchObject({ code: '23514' });

    await migrate(db.pool, { dir, direction: 'down' });
    expect(await exists('replay_tasks')).toBe(false);
    expect(await columns('transactions')).not.toContain('replay_failures');
    expect(await query('SELECT id, state, replay_pending FROM transactions')).toEqual([{ id, state: 'manual', replay_pending: true }]);

    await migrate(db.pool, { dir });
    expect(await query('SELECT replay_failures, breaker_refusals FROM transactions')).toEqual([{ replay_failures: 0, breaker_refusals: 0 }]);
    expect(await exists('replay_tasks')).toBe(true);
  });
  it('0091 (notice outbox) up makes the old notices sendable; down keeps the transactions\' notices and drops the others', async () => {
    await migrationsUpTo(90);
    await migrate(db.pool, { dir });
    const id = await insertTransaction('completed', { agency_ref: 'NRB-7' });
    await db.pool.query(`INSERT INTO citizen_notices (transaction_id, kind, agency_ref, phone_sealed) VALUES ($1, 'transaction-completed', 'NRB-7', $2)`, [id, randomBytes(8)]);
    await migrationsUpTo(91);
    await migrate(db.pool, { dir });
    expect(await query('SELECT transaction_id, status, body FROM citizen_notices')).toEqual([
      { transaction_id: id, status: 'pending', body: 'Huduma: your application is complete. Agency reference: NRB-7.' },
    ]);
    await db.pool.query(`INSERT INTO citizen_notices (notice_key, kind, body) VALUES ('outage:1', 'booking-outage', 'closed'), ('outage:2', 'booking-outage', 'closed')`);
    await expect(db.pool.query(`INSERT INTO citizen_notices (notice_key, kind, body) VALUES ('outage:1', 'booking-outage', 'again')`)).rejects.toMatchObject({ code: '23505' });

    await migrate(db.pool, { dir, direction: 'down' });
    expect(await query('SELECT transaction_id, kind, status FROM citizen_notices')).toEqual([{ transaction_id: id, kind: 'transaction-completed', status: 'recorded' }]);
    expect(await columns('citizen_notices')).not.toContain('body');
    await migrate(db.pool, { dir });
    expect(await query('SELECT status FROM citizen_notices')).toEqual([{ status: 'pending' }]);
  });

  it('0130 (data keys): one key per record; down refuses while keys are stored (it would erase their records), else drops the table and keeps the records; up starts with none', async () => {
    await migrationsUpTo(130);
    await migrate(db.pool, { dir });
    const id = await insertTransaction('completed', { agency_ref: 'NRB-9' });
    await db.pool.query('INSERT INTO citizen_keys (record_id, key_sealed) VALUES ($1, $2)', [id, randomBytes(61)]);
    await expect(db.pool.query('INSERT INTO citizen_keys (record_id, key_sealed) VALUES ($1, $2)', [id, randomBytes(61)])).rejects.toMatchObject({ code: '23505' });

    await expect(migrate(db.pool, { dir, direction: 'down' })).rejects.toThrow(/citizen_keys holds data keys/);
    expect(await query('SELECT count(*)::int AS n FROM citizen_keys')).toEqual([{ n: 1 }]);
    await db.pool.query('DELETE FROM citizen_keys');
    await migrate(db.pool, { dir, direction: 'down' });
    expect(await exists('citizen_keys')).toBe(false);
    expect(await query('SELECT id, state FROM transactions')).toEqual([{ id, state: 'completed' }]);
    await migrate(db.pool, { dir });
    expect(await query('SELECT count(*)::int AS n FROM citizen_keys')).toEqual([{ n: 0 }]);
  });

  describe('0132 (256 audit chains)', () => {
    const heads = async () => (await query<{ n: number }>('SELECT count(*)::int AS n FROM audit_chain_heads'))[0].n;
    const at = (ms: number) => new Date(Date.UTC(2026, 10, 22, 8, 0, 0, ms));
    const findings = async (): Promise<AuditFinding[]> => {
      const found: AuditFinding[] = [];
      await new TransactionHistoryCheck(db.pool).run((finding) => found.push(finding));
      return found;
    };

    it('an entity written under 16 chains, then under 256 (and by a replica still on 16), keeps its whole history in order and verifies; down then refuses', async () => {
      await migrationsUpTo(131);
      await migrate(db.pool, { dir });
      const sixteen = await AuditLog.open(db.pool);
      expect(sixteen.shards).toBe(16);
      // A transaction whose chain moves with the count.
      let id = randomUUID();
      while (shardOf(id, 256) === shardOf(id, 16)) id = randomUUID();
      await insertTransaction('completed', { agency_ref: 'NRB-132' }, id);
      const event = (type: string, data: Record<string, unknown>, ms: number): NewAuditEvent => ({ entityType: 'transaction', entityId: id, type, actor: 'officer-1', data, occurredAt: at(ms) });
      await sixteen.append(db.pool, event('received', { service: 'id-card-replacement', agency: 'nrb', channel: 'counter' }, 1));
      await sixteen.append(db.pool, event('dispatched', { attempt: 1 }, 2));

      await migrationsUpTo(132);
      await migrate(db.pool, { dir });
      expect(await heads()).toBe(256);
      const chains = await AuditLog.open(db.pool);
      expect(chains.shards).toBe(256);
      await chains.append(db.pool, event('retrying', { attempt: 1 }, 3));
      await chains.append(db.pool, event('dispatched', { attempt: 2 }, 5));
      // A replica started before 0132 appends on the old chain until it restarts: a read it timed
      // before the new chain's dispatch commits after it, and one it timed before `completed` after that.
      await sixteen.append(db.pool, event('personal_data_read', { reader: 'auditor-1' }, 4));
      await sixteen.append(db.pool, event('completed', { attempt: 2, agencyRef: 'NRB-132' }, 7));
      await sixteen.append(db.pool, event('personal_data_read', { reader: 'auditor-2' }, 6));

      // Neither the order they were stored in, nor by chain, nor by time: each chain's run in its
      // order, the runs merged by time.
      const history = await chains.history(db.pool, 'transaction', id);
      expect(history.map((e) => [e.type, e.shard])).toEqual([
        ['received', shardOf(id, 16)],
        ['dispatched', shardOf(id, 16)],
        ['retrying', shardOf(id, 256)],
        ['personal_data_read', shardOf(id, 16)],
        ['dispatched', shardOf(id, 256)],
        ['completed', shardOf(id, 16)],
        ['personal_data_read', shardOf(id, 16)],
      ]);
      expect(await sixteen.history(db.pool, 'transaction', id)).toEqual(history);
      // Every chain is walked, whatever count the verifying process read at boot; the row agrees with its events.
      expect(await chains.verify(db.pool)).toMatchObject({ ok: true, breaks: [], eventsChecked: 7, shards: 256 });
      expect(await sixteen.verify(db.pool)).toMatchObject({ ok: true, breaks: [], eventsChecked: 7, shards: 256 });
      expect(await findings()).toEqual([]);

      await expect(migrate(db.pool, { dir, direction: 'down' })).rejects.toThrow(/audit chains 16-255 hold events/);
      expect(await versions()).toContain(132);
      expect(await heads()).toBe(256);
      expect(await chains.verify(db.pool)).toMatchObject({ ok: true, eventsChecked: 7 });
    });

    it('down, while the new chains are empty, goes back to 16 chains (keeping their events), and up adds the 240 again at genesis', async () => {
      await migrationsUpTo(132);
      await migrate(db.pool, { dir });
      const chains = await AuditLog.open(db.pool);
      const onOld = oneEntityPerChain('old', 256).filter((id) => shardOf(id, 256) < 16);
      for (const [n, id] of onOld.entries()) await chains.append(db.pool, { entityType: 'test', entityId: id, type: 'one', actor: 'system:test', data: {}, occurredAt: at(n) });

      await migrate(db.pool, { dir, direction: 'down' });
      expect(await heads()).toBe(16);
      expect(await versions()).not.toContain(132);
      const sixteen = await AuditLog.open(db.pool);
      expect(await sixteen.verify(db.pool)).toMatchObject({ ok: true, eventsChecked: 16, shards: 16 });
      await expect(
        db.pool.query(`INSERT INTO audit_events (shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash) VALUES (16, 1, 'test', 'x', 'x', 'x', '{}', now(), $1, $1)`, [Buffer.alloc(32)]),
      ).rejects.toThrow(/audit_events_shard_known/);
      // The triggers that keep head rows were only set aside for the down.
      await expect(db.pool.query('DELETE FROM audit_chain_heads WHERE shard = 15')).rejects.toThrow(/never removed/);

      await migrate(db.pool, { dir });
      expect(await query('SELECT shard, seq::int AS seq, hash FROM audit_chain_heads WHERE shard >= 16 ORDER BY shard')).toEqual(
        Array.from({ length: 240 }, (_, i) => ({ shard: 16 + i, seq: 0, hash: genesisHash(16 + i) })),
      );
      expect(await (await AuditLog.open(db.pool)).verify(db.pool)).toMatchObject({ ok: true, eventsChecked: 16, shards: 256 });
    });
  });
});
