import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { AuditLog } from '../../core/audit/audit-log';
import { CentreChanged, type NewBooking } from '../../core/bookings/booking.repository';
import { newBookingReference } from '../../core/bookings/domain/booking-reference';
import type { SlotChoice } from '../../core/bookings/domain/booking';
import { PgBookingRepository } from '../../core/bookings/pg/booking.pg-repository';
import { ChangeBooking } from '../../core/bookings/use-cases/change-booking';
import { onCurrentCentre } from '../../core/bookings/use-cases/load-centre';
import { CentreCache } from '../../core/centres/centre-cache';
import type { CentreDefinition } from '../../core/centres/centre.repository';
import { PgCentreRepository } from '../../core/centres/pg/centre.pg-repository';
import { migrate } from '../../core/db/migrate';
import { SettableClock } from '../factories/clock';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { someoneWaitsFor } from '../factories/eventually';
import { describeWithPostgres } from '../factories/services';

const SERVICE = 'id-card-replacement';

/**
 * A booking takes its centre from the api's memory (CentreCache) and its statement checks the
 * centre's version (migration 0133): on real PostgreSQL, every change of a centre moves the version
 * on, a booking made with a version that moved writes nothing, a change in progress holds a booking
 * until it commits and then refuses it, and a booking in flight holds a change until it ends; a
 * write to the centre's tables that does not go through the repository does the same (0134). A
 * reschedule checks the version the same way, right after locking the booking.
 */
describeWithPostgres('a booking against the centre as it was read', () => {
  let db: TestDatabase;
  let audit: AuditLog;
  let centres: PgCentreRepository;
  let bookings: PgBookingRepository;
  let n = 0;

  const definition = (code: string, slotCapacity: number): CentreDefinition => ({
    code,
    name: `Centre ${code}`,
    county: 'Nairobi',
    timeZone: 'Africa/Nairobi',
    slotMinutes: 30,
    bookingHorizonDays: 30,
    noShowGraceMinutes: 15,
    openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday: weekday as 1, opens: '08:00', closes: '17:00' })),
    holidays: [],
    services: [{ serviceCode: SERVICE, ticketLetter: 'A', slotCapacity }],
    counters: [],
  });
  const event = (code: string) => ({ entityType: 'centre', entityId: code, type: 'configured', actor: 'admin-1', data: {}, occurredAt: new Date() });
  const versionOf = async (code: string) => (await centres.findVersioned(code))?.version;
  /** The version the next move of any centre takes (migration 0135: one sequence draws them all). */
  const nextVersion = async () => {
    const { rows } = await db.pool.query<{ last_value: string; is_called: boolean }>('SELECT last_value, is_called FROM centre_versions');
    return Number(rows[0].last_value) + (rows[0].is_called ? 1 : 0);
  };
  const holds = async (code: string, version: number) =>
    (await db.pool.query<{ held: boolean }>('SELECT centre_version_holds($1, $2) AS held', [code, version])).rows[0].held;

  /** A slot in the future (the repository checks no rule: the use case resolved it). */
  const slotOf = (code: string, capacity: number, hour = 9): SlotChoice => {
    const start = new Date(Date.UTC(2031, 0, 6 + (n % 20), hour));
    return { centreCode: code, serviceCode: SERVICE, start, end: new Date(start.getTime() + 30 * 60_000), localDate: start.toISOString().slice(0, 10), capacity };
  };
  const newBooking = (slot: SlotChoice): NewBooking => {
    n++;
    return {
      id: randomUUID(),
      reference: newBookingReference(),
      centreCode: slot.centreCode,
      serviceCode: slot.serviceCode,
      slotStart: slot.start,
      slotEnd: slot.end,
      localDate: slot.localDate,
      citizenIdHash: `citizen-${n}-${randomUUID()}`,
      citizenSealed: Buffer.from('sealed'),
      dataKeySealed: null,
      channel: 'portal',
      bookedBy: 'portal',
      reminderSentAt: null,
      createdAt: new Date(),
    };
  };
  const bookingEvent = (slot: SlotChoice) => ({ entityType: 'booking', entityId: '', type: 'booked', actor: 'portal', data: { centre: slot.centreCode }, occurredAt: new Date() });
  const book = (repository: PgBookingRepository, slot: SlotChoice, version: number, key?: string) =>
    repository.insert(
      newBooking(slot),
      slot,
      version,
      bookingEvent(slot),
      key ? { request: { scope: 'portal', key, route: 'POST /v1/bookings', fingerprint: 'f' } } : undefined,
    );
  const written = async (code: string) => {
    const count = async (sql: string, params: unknown[]) => Number((await db.pool.query<{ n: string }>(sql, params)).rows[0].n);
    return {
      bookings: await count('SELECT count(*) AS n FROM bookings WHERE centre_code = $1', [code]),
      slots: await count('SELECT count(*) AS n FROM appointment_slots WHERE centre_code = $1', [code]),
      events: await count(`SELECT count(*) AS n FROM audit_events WHERE entity_type = 'booking' AND data->>'centre' = $1`, [code]),
    };
  };
  /** Waits until a statement of this database waits for an advisory lock (a centre's change lock). */
  const someoneWaitsForTheCentre = () => someoneWaitsFor(db.pool, `locktype = 'advisory'`);
  /** A repository whose statements run in `client`'s open transaction (the booking "in flight"). */
  const inTransaction = (client: PoolClient) => new PgBookingRepository(client as unknown as Pool, audit, true);

  beforeAll(async () => {
    db = await createTestDatabase({ poolMax: 6 });
    audit = await AuditLog.open(db.pool);
    centres = new PgCentreRepository(db.pool, audit, true);
    bookings = new PgBookingRepository(db.pool, audit, true);
  });

  afterAll(async () => {
    await db?.close();
  });

  it('moves the version on with every change of the centre, and reads it with the centre', async () => {
    await centres.save(definition('TST-VER', 5), event('TST-VER'));
    const first = await centres.findVersioned('TST-VER');
    expect(first?.centre).toEqual(await centres.findByCode('TST-VER'));
    await centres.save({ ...definition('TST-VER', 5), holidays: [{ date: '2031-01-07', name: 'Test Day' }] }, event('TST-VER'));
    const second = (await versionOf('TST-VER'))!;
    expect(second).toBeGreaterThan(first!.version);
    await centres.setSlotCapacity('TST-VER', SERVICE, 2, new Date(), event('TST-VER'));
    expect(await versionOf('TST-VER')).toBeGreaterThan(second);
    expect(await centres.findVersioned('XXX-NONE')).toBeNull();
  });

  it('refuses a booking made with a version that moved, writing nothing, and takes it with the current one', async () => {
    await centres.save(definition('TST-STALE', 5), event('TST-STALE'));
    const read = (await versionOf('TST-STALE'))!;
    await centres.setSlotCapacity('TST-STALE', SERVICE, 1, new Date(), event('TST-STALE'));
    const key = randomUUID();

    await expect(book(bookings, slotOf('TST-STALE', 5), read, key)).rejects.toBeInstanceOf(CentreChanged);
    expect(await written('TST-STALE')).toEqual({ bookings: 0, slots: 0, events: 0 });
    expect((await db.pool.query('SELECT 1 FROM idempotency_keys WHERE key = $1', [key])).rowCount).toBe(0);

    // Read again: the capacity the change set is the slot's.
    const now = await centres.findVersioned('TST-STALE');
    const slot = slotOf('TST-STALE', now!.centre.services[0].slotCapacity);
    await book(bookings, slot, now!.version, key);
    expect(await written('TST-STALE')).toEqual({ bookings: 1, slots: 1, events: 1 });
    const { rows } = await db.pool.query<{ capacity: number }>('SELECT capacity FROM appointment_slots WHERE centre_code = $1', ['TST-STALE']);
    expect(rows[0].capacity).toBe(1);
  });

  /** Starts a change of `code` with `write` and leaves it open: a booking (or `attempt`) waits for it, then is refused, writing nothing. */
  const heldThenRefused = async (
    code: string,
    write: (change: PoolClient) => Promise<unknown>,
    attempt: (read: number) => Promise<unknown> = (read) => book(bookings, slotOf(code, 5), read),
  ) => {
    await centres.save(definition(code, 5), event(code));
    const read = (await versionOf(code))!;
    const before = await written(code);
    const change = await db.pool.connect();
    try {
      await change.query('BEGIN');
      await write(change);
      let settled = false;
      const booking = attempt(read).finally(() => (settled = true));
      booking.catch(() => undefined);
      await someoneWaitsForTheCentre();
      expect(settled).toBe(false);
      await change.query('COMMIT');
      await expect(booking).rejects.toBeInstanceOf(CentreChanged);
    } finally {
      change.release();
    }
    expect(await written(code)).toEqual(before);
  };

  it('holds a booking while a change of its centre is in progress, then refuses it', async () => {
    // What PgCentreRepository's changes do first; the rest of this change is not committed yet.
    await heldThenRefused('TST-WAIT', async (change) => {
      await change.query('SELECT centre_change($1)', ['TST-WAIT']);
      await change.query('UPDATE centre_services SET slot_capacity = 1 WHERE centre_code = $1', ['TST-WAIT']);
    });
  });

  it('holds a change of the centre while a booking is in flight, and the booking is taken first', async () => {
    await centres.save(definition('TST-FLIGHT', 5), event('TST-FLIGHT'));
    const read = (await versionOf('TST-FLIGHT'))!;
    const flight = await db.pool.connect();
    try {
      // The booking's own statement, in a transaction left open: its place taken, not committed.
      await flight.query('BEGIN');
      await book(inTransaction(flight), slotOf('TST-FLIGHT', 5), read);
      let settled = false;
      const change = centres.setSlotCapacity('TST-FLIGHT', SERVICE, 1, new Date(), event('TST-FLIGHT')).finally(() => (settled = true));
      await someoneWaitsForTheCentre();
      expect(settled).toBe(false);
      await flight.query('COMMIT');
      await change;
    } finally {
      flight.release();
    }
    // The change came after the booking: it saw the slot row, kept its booked place, and moved the version on.
    const { rows } = await db.pool.query<{ capacity: number; booked: number }>('SELECT capacity, booked FROM appointment_slots WHERE centre_code = $1', ['TST-FLIGHT']);
    expect(rows).toEqual([{ capacity: 1, booked: 1 }]);
    expect(await versionOf('TST-FLIGHT')).toBeGreaterThan(read);
  });

  it('moves the version on for a write that does not go through the repository (migration 0134), and a booking with the version read before writes nothing', async () => {
    const writes: Array<[string, string]> = [
      ['hours', `UPDATE centre_opening_hours SET closes_at = '16:00' WHERE centre_code = $1 AND weekday = 1`],
      ['holiday', `INSERT INTO centre_holidays (centre_code, holiday, name) VALUES ($1, '2031-01-08', 'Test Day')`],
      ['capacity', `UPDATE centre_services SET slot_capacity = 1 WHERE centre_code = $1`],
      ['name', `UPDATE centres SET name = 'Renamed' WHERE code = $1`],
      ['counter', `INSERT INTO counters (centre_code, code, name) VALUES ($1, 'K9', 'Counter 9')`],
      ['counter service', `INSERT INTO counter_services (centre_code, counter_code, service_code) VALUES ($1, 'K9', '${SERVICE}')`],
      ['holiday gone', `DELETE FROM centre_holidays WHERE centre_code = $1`],
    ];
    const code = 'TST-RAW';
    await centres.save(definition(code, 5), event(code));
    for (const [what, sql] of writes) {
      const read = (await versionOf(code))!;
      await db.pool.query(sql, [code]);
      expect([what, (await versionOf(code))! > read]).toEqual([what, true]);
      await expect(book(bookings, slotOf(code, 5), read)).rejects.toBeInstanceOf(CentreChanged);
      expect(await written(code)).toEqual({ bookings: 0, slots: 0, events: 0 });
    }
    // Several writes in one transaction move it on once (to the next version drawn, not past it);
    // a repository change still moves it on.
    const next = await nextVersion();
    await db.pool.query(`BEGIN; UPDATE centres SET county = 'Mombasa' WHERE code = '${code}'; DELETE FROM centre_opening_hours WHERE centre_code = '${code}' AND weekday = 7; COMMIT`);
    expect(await versionOf(code)).toBe(next);
    await centres.save(definition(code, 5), event(code));
    expect(await versionOf(code)).toBeGreaterThan(next);
  });

  it('holds a booking while a write that does not go through the repository is in progress, then refuses it', async () => {
    await heldThenRefused('TST-RAWAIT', (change) => change.query(`UPDATE centre_opening_hours SET opens_at = '10:00' WHERE centre_code = $1`, ['TST-RAWAIT']));
  });

  it('never gives a centre made again with a deleted centre\'s code a version the old one had: a copy of the old one is refused and the booking decided on the new one (migration 0135)', async () => {
    const code = 'TST-AGAIN';
    await centres.save(definition(code, 5), event(code));
    await centres.setSlotCapacity(code, SERVICE, 4, new Date(), event(code));
    await centres.setSlotCapacity(code, SERVICE, 3, new Date(), event(code));
    const cache = new CentreCache(centres);
    const copy = (await cache.findByCode(code))!;
    expect(copy.centre.services[0].slotCapacity).toBe(3);

    // Ops delete the centre by hand (its parts go with it) and it is made again, 2 places a slot.
    await db.pool.query('DELETE FROM centres WHERE code = $1', [code]);
    await centres.save(definition(code, 2), event(code));
    // Its changes move its version on until it reaches the old copy's (where counting again from 1 led).
    const seen = [(await versionOf(code))!];
    while (seen[seen.length - 1] < copy.version) {
      await db.pool.query('UPDATE centres SET name = $2 WHERE code = $1', [code, `Again ${seen.length}`]);
      seen.push((await versionOf(code))!);
    }
    expect(seen).not.toContain(copy.version);
    expect(await holds(code, copy.version)).toBe(false);

    // A booking made with the old copy is refused and decided again on the centre as it is now.
    const tries: number[] = [];
    await onCurrentCentre(cache, copy, undefined, (current) => {
      tries.push(current.version);
      return book(bookings, slotOf(code, current.centre.services[0].slotCapacity), current.version);
    });
    expect(tries).toEqual([copy.version, seen[seen.length - 1]]);
    const { rows } = await db.pool.query<{ capacity: number }>('SELECT capacity FROM appointment_slots WHERE centre_code = $1', [code]);
    expect(rows).toEqual([{ capacity: 2 }]);
  });

  it('takes the next version for a centre row written with a version of its own: a row restored from a copy, a version set by hand', async () => {
    const code = 'TST-OWNVER';
    await centres.save(definition(code, 5), event(code));
    const old = (await versionOf(code))!;
    await centres.setSlotCapacity(code, SERVICE, 4, new Date(), event(code));
    const { rows } = await db.pool.query<Record<string, unknown>>('SELECT * FROM centres WHERE code = $1', [code]);
    const row = rows[0];
    await db.pool.query('DELETE FROM centres WHERE code = $1', [code]);
    // Restored as it was read at `old`, version and all.
    const columns = Object.keys(row);
    await db.pool.query(
      `INSERT INTO centres (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      columns.map((column) => (column === 'version' ? old : row[column])),
    );
    const restored = (await versionOf(code))!;
    expect(restored).toBeGreaterThan(row.version as number);
    await db.pool.query('UPDATE centres SET version = $2 WHERE code = $1', [code, old]);
    expect(await versionOf(code)).toBeGreaterThan(restored);
    expect(await holds(code, old)).toBe(false);
    expect(await holds(code, row.version as number)).toBe(false);
  });

  it('reverts and re-applies 0135_centre_versions_never_repeat: +1 from the version kept after down, drawn above every version after up', async () => {
    const fresh = await createTestDatabase();
    try {
      const freshAudit = await AuditLog.open(fresh.pool);
      const repository = new PgCentreRepository(fresh.pool, freshAudit, true);
      const versionIn = async (code: string) => (await repository.findVersioned(code))!.version;
      await repository.save(definition('TST-MIG1', 5), event('TST-MIG1'));
      await repository.setSlotCapacity('TST-MIG1', SERVICE, 4, new Date(), event('TST-MIG1'));
      const before = await versionIn('TST-MIG1');

      const { rows } = await fresh.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM kiungo_migrations WHERE version >= 135');
      const reverted = await migrate(fresh.pool, { direction: 'down', steps: rows[0].n });
      expect(reverted.map((r) => r.name)).toContain('0135_centre_versions_never_repeat');
      expect((await fresh.pool.query(`SELECT to_regclass('centre_versions')::text AS t`)).rows[0].t).toBeNull();
      await repository.setSlotCapacity('TST-MIG1', SERVICE, 3, new Date(), event('TST-MIG1'));
      expect(await versionIn('TST-MIG1')).toBe(before + 1);
      await fresh.pool.query(`UPDATE centres SET name = 'Down' WHERE code = 'TST-MIG1'`);
      expect(await versionIn('TST-MIG1')).toBe(before + 2);
      await repository.save(definition('TST-MIG2', 5), event('TST-MIG2'));
      expect(await versionIn('TST-MIG2')).toBe(1);

      await migrate(fresh.pool, { direction: 'up' });
      await repository.save(definition('TST-MIG3', 5), event('TST-MIG3'));
      expect(await versionIn('TST-MIG3')).toBeGreaterThan(before + 2);
      await fresh.pool.query(`UPDATE centres SET name = 'Up' WHERE code = 'TST-MIG2'`);
      expect(await versionIn('TST-MIG2')).toBeGreaterThan(await versionIn('TST-MIG3'));
    } finally {
      await fresh.close();
    }
  });

  /** A database of its own, migrated as far as `through` (every migration above it reverted). */
  const migratedThrough = async (through: number) => {
    const fresh = await createTestDatabase();
    const freshAudit = await AuditLog.open(fresh.pool);
    const repository = new PgCentreRepository(fresh.pool, freshAudit, true);
    const { rows } = await fresh.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM kiungo_migrations WHERE version > $1', [through]);
    await migrate(fresh.pool, { direction: 'down', steps: rows[0].n });
    const versions = async () =>
      new Map((await fresh.pool.query<{ code: string; version: number }>('SELECT code, version FROM centres')).rows.map((r) => [r.code, r.version]));
    const holdsIn = async (code: string, version: number) =>
      (await fresh.pool.query<{ held: boolean }>('SELECT centre_version_holds($1, $2) AS held', [code, version])).rows[0].held;
    return { fresh, audit: freshAudit, repository, versions, holdsIn };
  };
  /** A write with triggers off, as a restore or a replication apply makes it (the tests' role is a superuser). */
  const withTriggersOff = async (pool: Pool, sql: string, params: unknown[]) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(sql, params);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };

  it('draws the first version after 0135 above every version held before it: the centre holding the highest one moves above it', async () => {
    const { fresh, repository, versions } = await migratedThrough(134);
    try {
      await repository.save(definition('TST-LOW', 5), event('TST-LOW'));
      await repository.save(definition('TST-HIGH', 5), event('TST-HIGH'));
      for (const capacity of [4, 3, 2]) await repository.setSlotCapacity('TST-HIGH', SERVICE, capacity, new Date(), event('TST-HIGH'));
      const held = [...(await versions()).values()];
      const highest = Math.max(...held);
      expect((await versions()).get('TST-HIGH')).toBe(highest);

      expect((await migrate(fresh.pool, { direction: 'up', steps: 1 })).map((r) => r.name)).toEqual(['0135_centre_versions_never_repeat']);
      await fresh.pool.query(`UPDATE centres SET name = 'Moved' WHERE code = 'TST-HIGH'`);
      const moved = (await versions()).get('TST-HIGH')!;
      expect(held).not.toContain(moved);
      expect(moved).toBeGreaterThan(highest);
    } finally {
      await fresh.close();
    }
  });

  it('repairs a database where 0135 handed out a version a change in flight had committed (migration 0138): it waits for the writes in flight, moves every centre off the version it held, and draws above every version held', async () => {
    const { fresh, repository, versions, holdsIn } = await migratedThrough(135);
    const writer = await fresh.pool.connect();
    try {
      await repository.save(definition('TST-HURT', 5), event('TST-HURT'));
      await repository.save(definition('TST-TOP', 5), event('TST-TOP'));
      // What 0135's race left: a change on the old release committed the version the sequence hands
      // out next (+1, triggers or not), and the next change of that centre drew it again and kept it.
      const { rows } = await fresh.pool.query<{ next: string }>('SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END AS next FROM centre_versions');
      const repeated = Number(rows[0].next);
      await withTriggersOff(fresh.pool, 'UPDATE centres SET version = $2 WHERE code = $1', ['TST-HURT', repeated]);
      await fresh.pool.query(`UPDATE centres SET name = 'Changed' WHERE code = 'TST-HURT'`);
      expect((await versions()).get('TST-HURT')).toBe(repeated);

      // A write in flight when 0138 runs (here with a version far above the sequence's): 0138 waits for it.
      await writer.query('BEGIN');
      await writer.query('SET LOCAL session_replication_role = replica');
      await writer.query(`UPDATE centres SET version = 5000000 WHERE code = 'TST-TOP'`);
      let settled = false;
      const migrating = migrate(fresh.pool, { direction: 'up' }).finally(() => (settled = true));
      migrating.catch(() => undefined);
      await someoneWaitsFor(fresh.pool, `relation = 'centres'::regclass`);
      expect(settled).toBe(false);
      await writer.query('COMMIT');
      expect((await migrating).map((r) => r.name)).toContain('0138_centre_versions_repaired');

      // Every centre moved off the version it held (a copy at it is refused), above every version held.
      const held = new Map([['TST-HURT', repeated], ['TST-TOP', 5_000_000]]);
      const repaired = await versions();
      for (const [code, version] of held) {
        expect([code, repaired.get(code)! > 5_000_000, await holdsIn(code, version)]).toEqual([code, true, false]);
      }
      // The centre a repeat had hurt and the one holding the highest version move on, above every version held.
      for (const code of ['TST-HURT', 'TST-TOP']) {
        await fresh.pool.query(`UPDATE centres SET name = 'Again' WHERE code = $1`, [code]);
        const moved = (await versions()).get(code)!;
        expect([code, moved > 5_000_000, moved === repaired.get(code)]).toEqual([code, true, false]);
      }
    } finally {
      writer.release();
      await fresh.close();
    }
  });

  it('moves the version with centre_change when triggers are off (session_replication_role = replica), once per transaction (migration 0138)', async () => {
    const code = 'TST-REPLICA';
    await centres.save(definition(code, 5), event(code));
    const before = (await versionOf(code))!;
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query('SELECT centre_change($1)', [code]);
      const moved = (await client.query<{ version: number }>('SELECT version FROM centres WHERE code = $1', [code])).rows[0].version;
      expect(moved).toBeGreaterThan(before);
      await client.query('SELECT centre_change($1)', [code]);
      expect((await client.query<{ version: number }>('SELECT version FROM centres WHERE code = $1', [code])).rows[0].version).toBe(moved);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await holds(code, before)).toBe(false);
    await expect(book(bookings, slotOf(code, 5), before)).rejects.toBeInstanceOf(CentreChanged);
  });

  it('reverts and re-applies 0138_centre_versions_repaired: 0135\'s functions after down (centre_change with triggers off moves nothing), the repair again after up', async () => {
    const { fresh, repository, versions, holdsIn } = await migratedThrough(1_000_000);
    try {
      await repository.save(definition('TST-MIG8', 5), event('TST-MIG8'));
      const { rows } = await fresh.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM kiungo_migrations WHERE version >= 138');
      const reverted = await migrate(fresh.pool, { direction: 'down', steps: rows[0].n });
      expect(reverted.map((r) => r.name)).toContain('0138_centre_versions_repaired');
      expect((await fresh.pool.query(`SELECT to_regprocedure('centre_version_after(integer)')::text AS f`)).rows[0].f).toBeNull();
      const down = (await versions()).get('TST-MIG8')!;
      await withTriggersOff(fresh.pool, 'SELECT centre_change($1)', ['TST-MIG8']);
      expect((await versions()).get('TST-MIG8')).toBe(down);
      await fresh.pool.query(`UPDATE centres SET name = 'Down' WHERE code = 'TST-MIG8'`);
      const changed = (await versions()).get('TST-MIG8')!;
      expect(changed).toBeGreaterThan(down);

      await migrate(fresh.pool, { direction: 'up' });
      const up = (await versions()).get('TST-MIG8')!;
      expect(up).toBeGreaterThanOrEqual(changed + 1_000_000);
      expect(await holdsIn('TST-MIG8', changed)).toBe(false);
      await withTriggersOff(fresh.pool, 'SELECT centre_change($1)', ['TST-MIG8']);
      expect((await versions()).get('TST-MIG8')).toBeGreaterThan(up);
    } finally {
      await fresh.close();
    }
  });

  const moveEvent = (booking: { reference: string }) => ({
    entityType: 'booking',
    entityId: booking.reference,
    type: 'rescheduled',
    actor: 'officer-1',
    data: {},
    occurredAt: new Date(),
  });
  /** The booking's slot, its slots' places and its events, as a reschedule would change them. */
  const whereIs = async (reference: string, code: string) => ({
    slotStart: (await bookings.findByReference(reference))?.slotStart,
    slots: (await db.pool.query('SELECT slot_start, booked FROM appointment_slots WHERE centre_code = $1 ORDER BY slot_start', [code])).rows,
    moves: (await db.pool.query(`SELECT 1 FROM audit_events WHERE entity_type = 'booking' AND entity_id = $1 AND type = 'rescheduled'`, [reference])).rowCount,
  });

  it('refuses a reschedule made with a version that moved, writing nothing', async () => {
    await centres.save(definition('TST-RSTALE', 5), event('TST-RSTALE'));
    const read = (await versionOf('TST-RSTALE'))!;
    const booked = await book(bookings, slotOf('TST-RSTALE', 5), read);
    const before = await whereIs(booked.reference, 'TST-RSTALE');
    await centres.setSlotCapacity('TST-RSTALE', SERVICE, 1, new Date(), event('TST-RSTALE'));

    await expect(bookings.reschedule(booked.reference, slotOf('TST-RSTALE', 5, 11), read, new Date(), moveEvent)).rejects.toBeInstanceOf(CentreChanged);
    expect(await whereIs(booked.reference, 'TST-RSTALE')).toEqual(before);

    // With the current version it moves, and the target slot takes the capacity the change set.
    const target = slotOf('TST-RSTALE', 1, 11);
    await bookings.reschedule(booked.reference, target, (await versionOf('TST-RSTALE'))!, new Date(), moveEvent);
    const { rows } = await db.pool.query<{ capacity: number }>('SELECT capacity FROM appointment_slots WHERE centre_code = $1 AND slot_start = $2', ['TST-RSTALE', target.start]);
    expect(rows).toEqual([{ capacity: 1 }]);
  });

  it('decides a reschedule again on the centre read anew when it changed after the read: a new holiday refuses it', async () => {
    await centres.save(definition('TST-RHOL', 5), event('TST-RHOL'));
    const booked = await book(bookings, slotOf('TST-RHOL', 5), (await versionOf('TST-RHOL'))!);
    const target = slotOf('TST-RHOL', 5, 11);
    const before = await whereIs(booked.reference, 'TST-RHOL');
    // The centre is read, then the target's day becomes a holiday before the move is written.
    let reads = 0;
    const racing = {
      findVersioned: async (code: string) => {
        const read = await centres.findVersioned(code);
        if (reads++ === 0) await centres.save({ ...definition(code, 5), holidays: [{ date: target.localDate, name: 'Race Day' }] }, event(code));
        return read;
      },
    };
    const change = new ChangeBooking(undefined as never, new CentreCache(racing), bookings, undefined as never, undefined as never, new SettableClock(new Date('2031-01-01T06:00:00Z')), {
      afterCancelled: async () => undefined,
      afterRescheduled: async () => undefined,
    });

    await expect(change.moveBooking(booked, target.start, 'officer-1')).rejects.toMatchObject({ code: 'centre-closed-holiday' });
    expect(reads).toBe(2);
    expect(await whereIs(booked.reference, 'TST-RHOL')).toEqual(before);
  });

  it('holds a reschedule while a change of its centre is in progress, then refuses it', async () => {
    await centres.save(definition('TST-RWAIT', 5), event('TST-RWAIT'));
    const booked = await book(bookings, slotOf('TST-RWAIT', 5), (await versionOf('TST-RWAIT'))!);
    await heldThenRefused(
      'TST-RWAIT',
      async (change) => {
        await change.query('SELECT centre_change($1)', ['TST-RWAIT']);
        await change.query('UPDATE centre_services SET slot_capacity = 1 WHERE centre_code = $1', ['TST-RWAIT']);
      },
      (read) => bookings.reschedule(booked.reference, slotOf('TST-RWAIT', 5, 11), read, new Date(), moveEvent),
    );
    expect((await bookings.findByReference(booked.reference))?.slotStart).toEqual(booked.slotStart);
  });

  it('CentreCache reads a centre once, shares a read in progress, keeps no unknown centre, and reads again after a refusal', async () => {
    await centres.save(definition('TST-CACHE', 5), event('TST-CACHE'));
    const reads: string[] = [];
    const cache = new CentreCache({ findVersioned: (code) => (reads.push(code), centres.findVersioned(code)) });

    const [a, b] = await Promise.all([cache.findByCode('TST-CACHE'), cache.findByCode('TST-CACHE')]);
    const c = await cache.findByCode('TST-CACHE');
    expect(a).toBe(b);
    expect(c).toBe(a);
    expect(reads).toEqual(['TST-CACHE']);

    expect(await cache.findByCode('TST-NONE')).toBeNull();
    await centres.save(definition('TST-NONE', 5), event('TST-NONE'));
    expect((await cache.findByCode('TST-NONE'))?.centre.code).toBe('TST-NONE');

    await centres.setSlotCapacity('TST-CACHE', SERVICE, 3, new Date(), event('TST-CACHE'));
    // The copy is kept as read until a statement refuses it: then it is read again.
    await expect(book(bookings, slotOf('TST-CACHE', 5), c!.version)).rejects.toBeInstanceOf(CentreChanged);
    const fresh = await cache.refresh(c!);
    expect(fresh).toMatchObject({ centre: { services: [{ slotCapacity: 3 }] } });
    expect(fresh!.version).toBeGreaterThan(c!.version);
    expect(await cache.findByCode('TST-CACHE')).toBe(fresh);
    // A second refusal of the same stale copy (another request's) takes the newer copy kept meanwhile.
    expect(await cache.refresh(c!)).toBe(fresh);
    expect(reads.filter((code) => code === 'TST-CACHE')).toHaveLength(2);
  });
});
