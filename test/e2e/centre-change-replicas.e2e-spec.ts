import { rmSync } from 'node:fs';
import type { TestApp } from '../factories/app';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { bookingBody, call, centreBody, day, SERVICE, slotAt } from './bookings.helpers';
import { deployment, type Deployment } from './manual-fallback.helpers';

const CENTRE = 'TST-REPL';

/**
 * Two api replicas on one database. Replica B books from its own copy of the centre (kept after its
 * first booking, core/centres/centre-cache.ts); the admin changes the centre through replica A. B's
 * next booking is decided on the centre as changed: a day A closed is refused with its rule, and a
 * new slot gets the capacity A set, whether A replaced the centre or set the capacity alone, and a
 * day A opened again is booked although B's copy still has it closed.
 */
describeWithPostgres('a centre changed on one api replica, booked on another', () => {
  let db: TestDatabase;
  let deploy: Deployment;
  let replicaA: TestApp;
  let replicaB: TestApp;
  let admin: string;
  let channel: string;
  let citizen = 0;

  const capacityOf = async (slotStart: string) =>
    (await db.pool.query<{ capacity: number }>('SELECT capacity FROM appointment_slots WHERE centre_code = $1 AND slot_start = $2', [CENTRE, slotStart])).rows[0]?.capacity;
  const bookOnB = (slotStart: string) => call(replicaB, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slotStart, ++citizen));

  beforeAll(async () => {
    db = await createTestDatabase();
    deploy = deployment(db);
    replicaA = await deploy.start(undefined, { role: 'api' });
    replicaB = await deploy.start(undefined, { role: 'api' });
    admin = await replicaA.token('admin');
    channel = await replicaB.token('channel', { subject: 'portal' });
    expect((await call(replicaA, 'PUT', `/v1/centres/${CENTRE}`, admin, centreBody(null, [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 5 }]))).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await replicaA?.close();
    await replicaB?.close();
    await db?.close();
    if (deploy) rmSync(deploy.dataDir, { recursive: true, force: true });
  });

  it('refuses a day closed on A, gives a new slot the capacity A set, and books a day A opened again', async () => {
    const first = slotAt(day(2), '09:00');
    expect((await bookOnB(first)).status).toBe(201);
    expect(await capacityOf(first)).toBe(5);

    // A replaces the centre: day 3 a holiday, 2 places per slot.
    const replaced = await call(replicaA, 'PUT', `/v1/centres/${CENTRE}`, admin, centreBody(day(3), [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 2 }]));
    expect(replaced.status).toBe(200);
    const closed = await bookOnB(slotAt(day(3), '09:00'));
    expect(closed.status).toBe(422);
    expect(closed.body.type).toMatch(/\/centre-closed-holiday$/);
    const second = slotAt(day(4), '10:00');
    expect((await bookOnB(second)).status).toBe(201);
    expect(await capacityOf(second)).toBe(2);

    // A sets the capacity alone.
    expect((await call(replicaA, 'PUT', `/v1/centres/${CENTRE}/capacity`, admin, { service: SERVICE, slotCapacity: 7 })).status).toBe(200);
    const third = slotAt(day(5), '10:00');
    expect((await bookOnB(third)).status).toBe(201);
    expect(await capacityOf(third)).toBe(7);

    // A opens day 3 again: B's copy still has the holiday, and its refusal is not the answer.
    expect((await call(replicaA, 'PUT', `/v1/centres/${CENTRE}`, admin, centreBody(null, [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 7 }]))).status).toBe(200);
    expect((await bookOnB(slotAt(day(3), '09:00'))).status).toBe(201);
  });
});
