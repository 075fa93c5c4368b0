import { randomUUID } from 'node:crypto';
import { BookingRepository } from '../../core/bookings/booking.repository';
import { CENTRE_TRIES } from '../../core/bookings/use-cases/load-centre';
import { CentreRepository } from '../../core/centres/centre.repository';
import { startTestApp, type TestApp } from '../factories/app';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { bookingBody, call, centreBody, day, SERVICE, slotAt } from './bookings.helpers';

const CENTRE = 'TST-CHURN';

/**
 * A centre that changes every time the api reads it: each booking (or move) statement finds the
 * version it was decided with moved, writes nothing, and the centre is read again (onCurrentCentre).
 * After CENTRE_TRIES refusals the caller gets 409 `centre-changed`, and nothing is stored: no
 * booking, no place, no audit event, and the Idempotency-Key is left free (the statement that would
 * have claimed it wrote nothing), so the same request sent again is decided anew, not replayed.
 *
 * The changes are real: each read of the centre by the api (its repository's findVersioned, which
 * CentreCache calls) is followed by a committed write to the centre, as ops SQL would make it; the
 * database's trigger (migration 0134) moves the version and the booking statement refuses it.
 */
describeWithPostgres('a booking against a centre that keeps changing', () => {
  let db: TestDatabase;
  let app: TestApp;
  let channel: string;
  let changes = 0;

  /** A committed change of the centre: its name, so hours and capacity stay as they are. */
  const changeTheCentre = () => db.pool.query('UPDATE centres SET name = $2 WHERE code = $1', [CENTRE, `Changed ${++changes}`]);
  /** From now on, every read of the centre by the api is followed by a change of it. */
  const changeAfterEveryRead = () => {
    const centres = app.app.get(CentreRepository);
    const read = centres.findVersioned.bind(centres);
    return jest.spyOn(centres, 'findVersioned').mockImplementation(async (code) => {
      const found = await read(code);
      await changeTheCentre();
      return found;
    });
  };
  const count = async (sql: string, params: unknown[]) => Number((await db.pool.query<{ n: string }>(sql, params)).rows[0].n);
  const stored = async () => ({
    bookings: await count('SELECT count(*) AS n FROM bookings WHERE centre_code = $1', [CENTRE]),
    slots: (await db.pool.query('SELECT slot_start, booked FROM appointment_slots WHERE centre_code = $1 ORDER BY slot_start', [CENTRE])).rows,
    events: await count(`SELECT count(*) AS n FROM audit_events WHERE entity_type = 'booking' AND data->>'centre' = $1`, [CENTRE]),
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp({ databaseUrl: db.url, role: 'api' });
    channel = await app.token('channel', { subject: 'portal' });
    const admin = await app.token('admin');
    expect((await call(app, 'PUT', `/v1/centres/${CENTRE}`, admin, centreBody(null, [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 5 }]))).status).toBe(201);
  }, 60_000);

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it(`answers a booking 409 centre-changed after ${CENTRE_TRIES} refused statements, storing nothing and leaving its Idempotency-Key free`, async () => {
    const inserts = jest.spyOn(app.app.get(BookingRepository), 'insert');
    const reads = changeAfterEveryRead();
    const key = randomUUID();
    const body = bookingBody(CENTRE, slotAt(day(2), '09:00'), 1);

    const refused = await call(app, 'POST', '/v1/bookings', channel, body, key);
    expect(refused.status).toBe(409);
    expect(refused.contentType).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 409, type: expect.stringMatching(/\/centre-changed$/) });
    expect(inserts).toHaveBeenCalledTimes(CENTRE_TRIES);
    // Each try was made with the centre read again, whose version the next change moved on.
    expect(reads.mock.calls.length).toBeGreaterThanOrEqual(CENTRE_TRIES);
    expect(await stored()).toEqual({ bookings: 0, slots: [], events: 0 });
    expect(await count('SELECT count(*) AS n FROM idempotency_keys WHERE key = $1', [key])).toBe(0);

    // The centre stops changing: the same request with the same key is booked, not answered 409 again.
    reads.mockRestore();
    const again = await call(app, 'POST', '/v1/bookings', channel, body, key);
    expect(again.status).toBe(201);
    expect(await stored()).toMatchObject({ bookings: 1, events: 1 });
    expect(await count('SELECT count(*) AS n FROM idempotency_keys WHERE key = $1 AND status = 201', [key])).toBe(1);
  });

  it(`answers a reschedule 409 centre-changed after ${CENTRE_TRIES} refused moves, leaving the booking where it was`, async () => {
    const from = slotAt(day(3), '10:00');
    const booked = await call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, from, 2));
    expect(booked.status).toBe(201);
    const before = await stored();
    // The api's copy is stale before the move starts, and every copy it reads after is made stale too.
    await changeTheCentre();
    const moves = jest.spyOn(app.app.get(BookingRepository), 'reschedule');
    changeAfterEveryRead();

    const refused = await call(app, 'POST', `/v1/bookings/${booked.body.reference}/reschedule`, channel, { slotStart: slotAt(day(3), '11:00') });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ status: 409, type: expect.stringMatching(/\/centre-changed$/) });
    expect(moves).toHaveBeenCalledTimes(CENTRE_TRIES);
    expect(await stored()).toEqual(before);
    expect(await count(`SELECT count(*) AS n FROM audit_events WHERE entity_type = 'booking' AND entity_id = $1 AND type = 'rescheduled'`, [booked.body.reference])).toBe(0);
    const { rows } = await db.pool.query<{ slot_start: Date; reschedules: number }>('SELECT slot_start, reschedules FROM bookings WHERE reference = $1', [booked.body.reference]);
    expect(rows).toEqual([{ slot_start: new Date(from), reschedules: 0 }]);
  });
});
