import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NotificationLog } from '../../core/notifications/notification-log';
import { AgencyAppointmentSync } from '../../core/agency-appointments/use-cases/agency-appointment-sync';
import { BookingRepository } from '../../core/bookings/booking.repository';
import { BookingJobs } from '../../core/bookings/use-cases/booking-jobs';
import { BookingNotices } from '../../core/bookings/use-cases/booking-notices';
import { CentreRepository } from '../../core/centres/centre.repository';
import { RetryAgencyAppointments } from '../../core/agency-appointments/use-cases/retry-agency-appointments';
import { FAST_CATALOGUE, eventually, startTestApp, type TestApp } from '../factories/app';
import { CLOCK_SCENARIOS, RunningClock, SettableClock } from '../factories/clock';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { bookingBody, call, centreBody, citizen, day, slotAt } from './bookings.helpers';

const CENTRE = 'TST-AGAPT';
/** Fallback `store-and-forward`: a booking made while the agency is down is kept, pending there. */
const KEEPS = 'id-card-replacement';
/** Fallback `reject`: no booking while the agency is down. */
const REJECTS = 'id-card-status-check';

/** The fast NRB catalogue, with NRB keeping its own appointment system and both services bookable. */
function catalogueWithAgencyAppointments(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-agapt-'));
  cpSync(FAST_CATALOGUE, dir, { recursive: true });
  const file = path.join(dir, 'nrb', 'agency.json');
  const agency = JSON.parse(readFileSync(file, 'utf8')) as { adapter: Record<string, unknown>; services: Array<Record<string, unknown>> };
  agency.adapter.appointments = { reservePath: '/api/v1/appointments', cancelPath: '/api/v1/appointments/{agencyRef}/cancel' };
  for (const service of agency.services) if (service.code === REJECTS) service.bookable = true;
  writeFileSync(file, JSON.stringify(agency, null, 2));
  return dir;
}

/**
 * Booking a service whose agency keeps its own appointment system: reserved here, then at the
 * (real, simulated) agency; refusals and outages handled as the service's fallback says.
 */
describeWithPostgres('Agency appointment systems', () => {
  describe.each(CLOCK_SCENARIOS)('$name', ({ at }) => {
    let db: TestDatabase;
    let agency: RestAgencySimulator;
    let app: TestApp;
    let channel: string;
    let catalogueDir: string;
    // Runs from the scenario's instant; moved forward past the backoff of the agency retries.
    const clock = new RunningClock(at);
    const date = day(3, at);

    const book = (service: string, n: number, time = '09:00') => call(app, 'POST', '/v1/bookings', channel, bookingBody(CENTRE, slotAt(date, time), n, service));
    const bookingStatus = async (reference: string) => (await db.pool.query<{ status: string }>('SELECT status FROM bookings WHERE reference = $1', [reference])).rows[0]?.status;
    const held = async (reference: string) =>
      (await db.pool.query<{ state: string; agency_ref: string | null }>('SELECT state, agency_ref FROM agency_appointments WHERE booking_reference = $1', [reference])).rows[0];
    const booked = async (service: string) =>
      Number((await db.pool.query<{ n: string }>('SELECT coalesce(sum(booked), 0) AS n FROM appointment_slots WHERE service_code = $1', [service])).rows[0].n);
    const bookingsOf = async (n: number) =>
      (await db.pool.query<{ reference: string; status: string }>('SELECT reference, status FROM bookings WHERE citizen_id_hash = $1', [app.runtime.vault.lookupHash(citizen(n).idNumber)])).rows;

    beforeAll(async () => {
      db = await createTestDatabase();
      agency = await startRestAgency({ referencePrefix: 'NRB' });
      catalogueDir = catalogueWithAgencyAppointments();
      app = await startTestApp({ databaseUrl: db.url, catalogueDir, endpointOverrides: { nrb: agency.url }, clock });
      channel = await app.token('channel', { subject: 'portal' });
      const admin = await app.token('admin');
      const services = [
        { service: KEEPS, ticketLetter: 'A', slotCapacity: 5 },
        { service: REJECTS, ticketLetter: 'B', slotCapacity: 5 },
      ];
      expect((await call(app, 'PUT', `/v1/centres/${CENTRE}`, admin, centreBody(day(20, at), services))).status).toBe(201);
    });

    afterAll(async () => {
      await app?.close();
      await agency?.close();
      await db?.close();
      if (catalogueDir) rmSync(catalogueDir, { recursive: true, force: true });
    });

    it('reserves at the agency as part of booking, with a pseudonym of the citizen, and cancels there with it', async () => {
      const res = await book(KEEPS, 1);
      expect(res.status).toBe(201);
      const reference = res.body.reference as string;
      const [reservation] = agency.appointments().filter((a) => a.key === reference);
      expect(reservation).toMatchObject({ status: 'reserved', centre: CENTRE, service: KEEPS, slotStart: new Date(slotAt(date, '09:00')).toISOString() });
      expect(reservation.citizenRef).not.toContain(citizen(1).idNumber);
      expect(await held(reference)).toEqual({ state: 'reserved', agency_ref: reservation.reference });
      expect((await app.app.get(NotificationLog).sentTo(citizen(1).phone)).map((m) => m.template)).toEqual(['booking-confirmed']);

      expect((await call(app, 'POST', `/v1/bookings/${reference}/cancel`, channel)).status).toBe(200);
      expect(agency.appointments().find((a) => a.key === reference)?.status).toBe('cancelled');
      expect((await held(reference)).state).toBe('cancelled');
    });

    it('fails the booking cleanly when the agency refuses: 409, place released, no confirmation', async () => {
      const before = await booked(KEEPS);
      agency.setMode('reject');
      const res = await book(KEEPS, 2);
      agency.setMode('healthy');
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ type: 'https://kiungo.dev/problems/agency-refused-appointment', status: 409 });
      expect(res.body.detail).toContain('The agency does not take this appointment');
      expect(await bookingsOf(2)).toEqual([expect.objectContaining({ status: 'cancelled' })]);
      expect(await booked(KEEPS)).toBe(before);
      expect(await app.app.get(NotificationLog).sentTo(citizen(2).phone)).toEqual([]);
    });

    it('agency down, fallback reject: 503 with Retry-After and nothing booked', async () => {
      agency.setMode('down');
      const res = await fetch(`${app.url}/v1/bookings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${channel}`, 'content-type': 'application/json', 'idempotency-key': `agapt-${Date.now()}` },
        body: JSON.stringify(bookingBody(CENTRE, slotAt(date, '09:00'), 3, REJECTS)),
      });
      agency.setMode('healthy');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('30');
      expect(await res.json()).toMatchObject({ type: 'https://kiungo.dev/problems/agency-unavailable', status: 503 });
      expect(await bookingsOf(3)).toEqual([expect.objectContaining({ status: 'cancelled' })]);
      expect(await booked(REJECTS)).toBe(0);
    });

    it('agency down, fallback store-and-forward: booked and pending there, then reserved by the worker retry', async () => {
      agency.setMode('down');
      const res = await book(KEEPS, 4, '10:00');
      expect(res.status).toBe(201);
      const reference = res.body.reference as string;
      expect(await bookingStatus(reference)).toBe('booked');
      expect((await held(reference)).state).toBe('pending');
      expect(agency.appointments().some((a) => a.key === reference)).toBe(false);

      agency.setMode('healthy');
      const retry = app.app.get(RetryAgencyAppointments);
      // Not due yet: nothing is tried.
      expect(await retry.run()).toEqual({ reserved: 0, refused: 0, stillPending: 0 });
      // Each pass moves the clock past the backoff; the breaker (opened by the outage) lets a trial through after 1.5 s.
      await eventually(
        async () => {
          clock.advance(3_600_000);
          await retry.run();
          return (await held(reference)).state;
        },
        (state) => state === 'reserved',
        8000,
        300,
      );
      const reservation = agency.appointments().find((a) => a.key === reference);
      expect(reservation?.status).toBe('reserved');
      expect((await held(reference)).agency_ref).toBe(reservation?.reference);
    });

    it('a pending reservation the agency then refuses cancels the booking, and the citizen is told', async () => {
      agency.setMode('down');
      const res = await book(KEEPS, 5, '11:00');
      expect(res.status).toBe(201);
      const reference = res.body.reference as string;
      agency.setMode('reject');
      const retry = app.app.get(RetryAgencyAppointments);
      await eventually(
        async () => {
          clock.advance(3_600_000);
          await retry.run();
          return (await held(reference)).state;
        },
        (state) => state === 'refused',
        8000,
        300,
      );
      agency.setMode('healthy');
      expect(await bookingStatus(reference)).toBe('cancelled');
      expect((await app.app.get(NotificationLog).sentTo(citizen(5).phone)).map((m) => m.template)).toEqual(['booking-confirmed', 'booking-cancelled']);
    });

    /** What the agency still holds (reserved) for one of our bookings, whatever key reserved it. */
    const heldAtAgency = (reference: string) => agency.appointments().filter((a) => a.booking === reference && a.status === 'reserved');
    const reschedule = (reference: string, time: string) => call(app, 'POST', `/v1/bookings/${reference}/reschedule`, channel, { slotStart: slotAt(date, time) });
    const slotOf = async (reference: string) =>
      (await db.pool.query<{ slot_start: Date }>('SELECT slot_start FROM bookings WHERE reference = $1', [reference])).rows[0].slot_start.toISOString();

    it('a reschedule the agency refuses is undone: 409, the booking and the agency both keep the old slot', async () => {
      const res = await book(KEEPS, 6, '12:00');
      expect(res.status).toBe(201);
      const reference = res.body.reference as string;
      const oldSlot = new Date(slotAt(date, '12:00')).toISOString();

      agency.setMode('reject');
      const refused = await reschedule(reference, '13:00');
      agency.setMode('healthy');
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ type: 'https://kiungo.dev/problems/agency-refused-appointment', status: 409 });
      expect(await slotOf(reference)).toBe(oldSlot);
      expect(heldAtAgency(reference).map((a) => a.slotStart)).toEqual([oldSlot]);
      expect((await held(reference)).agency_ref).toBe(heldAtAgency(reference)[0].reference);
      expect((await app.app.get(NotificationLog).sentTo(citizen(6).phone)).map((m) => m.template)).toEqual(['booking-confirmed']);
    });

    it('after a reschedule the agency holds exactly the new slot, under the reference we keep', async () => {
      const res = await book(KEEPS, 7, '12:00');
      expect(res.status).toBe(201);
      const reference = res.body.reference as string;
      const [before] = heldAtAgency(reference);

      const moved = await reschedule(reference, '14:00');
      expect(moved.status).toBe(200);
      const newSlot = new Date(slotAt(date, '14:00')).toISOString();
      expect(moved.body).toMatchObject({ slotStart: newSlot, reschedules: 1 });
      const now = heldAtAgency(reference);
      expect(now.map((a) => a.slotStart)).toEqual([newSlot]);
      expect(now[0].reference).not.toBe(before.reference);
      expect(agency.appointments().find((a) => a.reference === before.reference)?.status).toBe('cancelled');
      expect(await held(reference)).toEqual({ state: 'reserved', agency_ref: now[0].reference });

      // And back again: still exactly one reservation there.
      expect((await reschedule(reference, '12:00')).status).toBe(200);
      expect(heldAtAgency(reference).map((a) => a.slotStart)).toEqual([new Date(slotAt(date, '12:00')).toISOString()]);
    });

    it('agency down, fallback reject: the reschedule is undone with 503 and the agency keeps the old slot', async () => {
      const res = await book(REJECTS, 9, '12:00');
      expect(res.status).toBe(201);
      const reference = res.body.reference as string;
      const oldSlot = new Date(slotAt(date, '12:00')).toISOString();
      agency.setMode('down');
      const moved = await reschedule(reference, '13:00');
      agency.setMode('healthy');
      expect(moved.status).toBe(503);
      expect(moved.body).toMatchObject({ type: 'https://kiungo.dev/problems/agency-unavailable', status: 503 });
      expect(await slotOf(reference)).toBe(oldSlot);
      expect(heldAtAgency(reference).map((a) => a.slotStart)).toEqual([oldSlot]);
    });

    it('agency down, fallback store-and-forward: the reschedule stands, and the worker retry moves it at the agency', async () => {
      const res = await book(KEEPS, 10, '12:00');
      expect(res.status).toBe(201);
      const reference = res.body.reference as string;
      agency.setMode('down');
      const moved = await reschedule(reference, '13:00');
      expect(moved.status).toBe(200);
      expect((await held(reference)).state).toBe('pending');
      agency.setMode('healthy');
      const retry = app.app.get(RetryAgencyAppointments);
      await eventually(
        async () => {
          clock.advance(3_600_000);
          await retry.run();
          return (await held(reference)).state;
        },
        (state) => state === 'reserved',
        8000,
        300,
      );
      const now = heldAtAgency(reference);
      expect(now.map((a) => a.slotStart)).toEqual([new Date(slotAt(date, '13:00')).toISOString()]);
      expect((await held(reference)).agency_ref).toBe(now[0].reference);
    });

    it('a booking released as a no-show is cancelled at the agency', async () => {
      const res = await book(KEEPS, 8, '15:00');
      expect(res.status).toBe(201);
      const reference = res.body.reference as string;
      expect(heldAtAgency(reference)).toHaveLength(1);

      const afterGrace = new Date(new Date(slotAt(date, '15:00')).getTime() + 16 * 60_000);
      const jobs = new BookingJobs(
        app.app.get(CentreRepository),
        app.app.get(BookingRepository),
        app.app.get(BookingNotices),
        new SettableClock(afterGrace),
        app.app.get(AgencyAppointmentSync),
      );
      expect((await jobs.releaseNoShows()).map((b) => b.reference)).toContain(reference);
      expect(await bookingStatus(reference)).toBe('no_show');
      expect(heldAtAgency(reference)).toEqual([]);
      expect((await held(reference)).state).toBe('cancelled');
    });
  });
});
