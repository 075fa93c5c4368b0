import { randomBytes, randomUUID } from 'node:crypto';
import { NotificationLog } from '../../core/notifications/notification-log';
import { startTestApp, type TestApp } from '../factories/app';
import { CLOCK_SCENARIOS, RunningClock } from '../factories/clock';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { isGsm7 } from '../../core/ussd/domain/screens';
import { call, centreBody, day, SERVICE } from './bookings.helpers';

const SECRET = 'ussd-test-secret-0123456789';
const PHONE = '+254711000111';
const OTHER_PHONE = '+254722000222';
const ID_NUMBER = '31234567';

interface UssdAnswer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * The USSD channel end to end, as Africa's Talking drives it: form-encoded callbacks carrying the
 * whole answer history, on two api instances sharing one PostgreSQL, ending in real bookings
 * (same table, same capacity) and real SMS records.
 */
describeWithPostgres('USSD channel', () => {
  describe.each(CLOCK_SCENARIOS)('$name', ({ at }) => {
    let db: TestDatabase;
    let app: TestApp;
    let replica: TestApp;
    // Runs from the scenario's instant; moved forward to let a session time out.
    const clock = new RunningClock(at);
    const screens: string[] = [];
    let bookedScreen = '';
    const dataKey = randomBytes(32).toString('base64');

    async function ussd(target: TestApp, sessionId: string, phoneNumber: string, text: string, key: string | null = SECRET): Promise<UssdAnswer> {
      const query = key === null ? '' : `?key=${encodeURIComponent(key)}`;
      const response = await fetch(`${target.url}/v1/channels/ussd${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ sessionId, serviceCode: '*384*19#', phoneNumber, text }).toString(),
      });
      const body = await response.text();
      if (response.status === 200) screens.push(body);
      return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
    }

    const bookingsOf = async () =>
      (await db.pool.query<{ reference: string; status: string; channel: string; slot_start: Date }>('SELECT reference, status, channel, slot_start FROM bookings')).rows;
    const bookedInSlots = async () => Number((await db.pool.query<{ n: string }>('SELECT coalesce(sum(booked), 0) AS n FROM appointment_slots')).rows[0].n);

    beforeAll(async () => {
      db = await createTestDatabase();
      const env = { KIUNGO_USSD_SECRET: SECRET };
      app = await startTestApp({ databaseUrl: db.url, clock, env, dataKey });
      replica = await startTestApp({ databaseUrl: db.url, clock, env, dataKey });
      const admin = await app.token('admin');
      const services = [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 2 }];
      // Holiday beyond the two weeks USSD offers: every listed day is open.
      expect((await call(app, 'PUT', '/v1/centres/NBI-USSD', admin, { ...centreBody(day(25, at), services), name: 'Huduma Test Nairobi' })).status).toBe(201);
      expect((await call(app, 'PUT', '/v1/centres/MSA-USSD', admin, { ...centreBody(day(25, at), services), name: 'Huduma Test Mombasa', county: 'Mombasa' })).status).toBe(201);
    });

    afterAll(async () => {
      await replica?.close();
      await app?.close();
      await db?.close();
    });

    afterEach(() => {
      for (const screen of screens) {
        expect(screen).toMatch(/^(CON|END) /);
        expect(screen.length).toBeLessThanOrEqual(182);
        // Every screen in the GSM-7 alphabet: handsets show nothing else reliably.
        expect({ screen, gsm7: isGsm7(screen) }).toEqual({ screen, gsm7: true });
      }
    });

    it('books through a whole conversation with a wrong choice, an invalid ID and a timeout, across two replicas', async () => {
      const session = `ATUid_${randomUUID()}`;
      const steps: string[] = [];
      const say = async (answer: string | null, target: TestApp = app) => {
        if (answer !== null) steps.push(answer);
        return ussd(target, session, PHONE, steps.join('*'));
      };

      const menu = await say(null);
      expect(menu.status).toBe(200);
      expect(menu.contentType).toMatch(/^text\/plain/);
      expect(menu.body).toBe('CON Huduma appointments\n1. Book an appointment\n2. Check my bookings\n3. Cancel a booking\n4. Where is my application?');
      expect((await say('1')).body).toBe('CON Choose a service:\n1. Replacement of a lost national ID card');
      expect((await say('1')).body).toBe('CON Choose a county:\n1. Mombasa\n2. Nairobi');
      // A wrong choice re-prompts the same list.
      expect((await say('7')).body).toBe('CON Invalid choice.\nChoose a county:\n1. Mombasa\n2. Nairobi');
      // Nairobi has one centre: straight to its days. The next answer goes to the other replica.
      const days = await say('2', replica);
      expect(days.body).toMatch(/^CON Choose a day:\n1\. \w{3} \d{1,2} \w{3}\n2\. /);
      // A network retry of the same callback gets the same screen, and moves nothing.
      expect((await ussd(app, session, PHONE, steps.join('*'))).body).toBe(days.body);
      expect((await say('2')).body).toMatch(/^CON Choose a time, \w{3} \d{1,2} \w{3}:\n1\. 08:00\n2\. 08:30/);
      expect((await say('1')).body).toBe('CON Enter your national ID number (7 or 8 digits):');
      expect((await say('12ab')).body).toBe('CON Invalid ID number.\nEnter your national ID number (7 or 8 digits):');

      // What is stored is sealed: neither the phone number nor the menu's contents are readable.
      const stored = await db.pool.query<{ phone_hash: string; state_sealed: Buffer }>('SELECT phone_hash, state_sealed FROM ussd_sessions WHERE session_id = $1', [session]);
      expect(stored.rows).toHaveLength(1);
      expect(stored.rows[0].phone_hash).not.toContain('711000111');
      expect(stored.rows[0].state_sealed.toString('latin1')).not.toMatch(/Nairobi|711000111|08:00/);

      // Four minutes of silence: Africa's Talking's limit is passed, the session starts again.
      clock.advance(4 * 60_000);
      expect((await say(ID_NUMBER)).body).toBe('CON Session timed out.\nHuduma appointments\n1. Book an appointment\n2. Check my bookings\n3. Cancel a booking\n4. Where is my application?');
      await say('1');
      await say('1');
      await say('2');
      await say('2');
      await say('1');
      const confirm = await say(ID_NUMBER, replica);
      expect(confirm.body).toMatch(/^CON Book Replacement of a lost national ID card at Huduma Test Nairobi, \w{3} \d{1,2} \w{3} 08:00, ID \*\*\*\*4567\?\n1\. Confirm\n2\. Cancel$/);
      expect(confirm.body).not.toContain(ID_NUMBER);
      const done = await say('1');
      expect(done.body).toMatch(/^END Thank you\. \w{3} \d{1,2} \w{3} 08:00 at Huduma Test Nairobi: the SMS with your reference confirms it\. Bring your ID\.$/);
      bookedScreen = done.body;

      const bookings = await bookingsOf();
      expect(bookings).toEqual([expect.objectContaining({ status: 'booked', channel: 'ussd' })]);
      expect(await bookedInSlots()).toBe(1);
      const sms = await app.app.get(NotificationLog).sentTo(PHONE);
      expect(sms).toHaveLength(1);
      expect(sms[0]).toMatchObject({ template: 'booking-confirmed', data: expect.objectContaining({ reference: bookings[0].reference }) });
      // The network repeats the final callback: the same last screen again, and still one booking (issue 10).
      expect(await say(null, replica)).toEqual(done);
      expect(await bookingsOf()).toHaveLength(1);
      // What a finished conversation keeps until it expires is its last screen, sealed.
      const kept = await db.pool.query<{ state_sealed: Buffer }>('SELECT state_sealed FROM ussd_sessions WHERE session_id = $1', [session]);
      expect(kept.rows[0].state_sealed.toString('latin1')).not.toMatch(/Huduma Test Nairobi|08:00/);
    });

    it("does not tell another phone whether an ID number is booked: the same screen, nothing booked, no SMS", async () => {
      const before = await bookingsOf();
      const bookFrom = async (phone: string, idNumber: string) => {
        const session = `ATUid_${randomUUID()}`;
        const steps = ['1', '1', '2', '2', '1', idNumber, '1'];
        await ussd(app, session, phone, '');
        let last: UssdAnswer | undefined;
        for (let i = 1; i <= steps.length; i += 1) last = await ussd(app, session, phone, steps.slice(0, i).join('*'));
        return last?.body;
      };
      // The ID number booked from PHONE, typed on another phone for the same day and service…
      expect(await bookFrom(OTHER_PHONE, ID_NUMBER)).toBe(bookedScreen);
      expect(await bookingsOf()).toEqual(before);
      expect(await app.app.get(NotificationLog).sentTo(OTHER_PHONE)).toEqual([]);
      // …while the phone holding the booking is told, and can check it.
      expect(await bookFrom(PHONE, ID_NUMBER)).toBe('END You already have a booking for this service that day. Dial again and choose 2 to check it.');
      expect(await bookingsOf()).toEqual(before);
    });

    it('checks bookings: the caller sees their own, another phone with the same ID number sees none', async () => {
      const [booking] = await bookingsOf();
      const session = `ATUid_${randomUUID()}`;
      await ussd(app, session, PHONE, '');
      expect((await ussd(app, session, PHONE, '2')).body).toBe('CON Enter your national ID number (7 or 8 digits):');
      const list = await ussd(app, session, PHONE, `2*${ID_NUMBER}`);
      expect(list.body).toMatch(new RegExp(`^END Your bookings:\\n${booking.reference} \\w{3} \\d{1,2} \\w{3}, 08:00 Replacement`));

      const stranger = `ATUid_${randomUUID()}`;
      await ussd(app, stranger, OTHER_PHONE, '');
      await ussd(app, stranger, OTHER_PHONE, '2');
      expect((await ussd(app, stranger, OTHER_PHONE, `2*${ID_NUMBER}`)).body).toBe('END No upcoming bookings for this ID number from this phone.');
      // A session id answered from another phone is refused.
      await ussd(app, session, PHONE, '');
      expect((await ussd(app, session, OTHER_PHONE, '2')).body).toMatch(/^END This session belongs to another phone/);
    });

    it('cancels a booking: the place goes back and an SMS confirms', async () => {
      const [booking] = await bookingsOf();
      const session = `ATUid_${randomUUID()}`;
      await ussd(app, session, PHONE, '');
      await ussd(app, session, PHONE, '3');
      const pick = await ussd(app, session, PHONE, `3*${ID_NUMBER}`);
      expect(pick.body).toMatch(new RegExp(`^CON Which booking to cancel\\?\\n1\\. ${booking.reference} `));
      expect((await ussd(app, session, PHONE, `3*${ID_NUMBER}*5`)).body).toMatch(/^CON Invalid choice\.\nWhich booking to cancel\?/);
      const sure = await ussd(app, session, PHONE, `3*${ID_NUMBER}*5*1`);
      expect(sure.body).toMatch(new RegExp(`^CON Cancel ${booking.reference} .*\\?\\n1\\. Yes, cancel it\\n2\\. No, keep it$`));
      expect((await ussd(app, session, PHONE, `3*${ID_NUMBER}*5*1*1`)).body).toBe(`END Booking ${booking.reference} cancelled. An SMS confirms it.`);

      expect(await bookingsOf()).toEqual([expect.objectContaining({ reference: booking.reference, status: 'cancelled' })]);
      expect(await bookedInSlots()).toBe(0);
      const sms = await app.app.get(NotificationLog).sentTo(PHONE);
      expect(sms.map((m) => m.template)).toEqual(['booking-confirmed', 'booking-cancelled']);
    });

    it('refuses callbacks without the channel key or with a wrong one, as problems, touching nothing', async () => {
      const before = Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM ussd_sessions')).rows[0].n);
      const missing = await ussd(app, `ATUid_${randomUUID()}`, PHONE, '', null);
      expect(missing.status).toBe(401);
      expect(missing.contentType).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(missing.body)).toMatchObject({ type: 'https://kiungo.dev/problems/ussd-key-missing', status: 401 });
      const wrong = await ussd(app, `ATUid_${randomUUID()}`, PHONE, '', `${SECRET}x`);
      expect(wrong.status).toBe(403);
      expect(JSON.parse(wrong.body)).toMatchObject({ type: 'https://kiungo.dev/problems/ussd-key-invalid', status: 403 });
      expect(wrong.body).not.toContain(SECRET);
      expect(Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM ussd_sessions')).rows[0].n)).toBe(before);
    });

    it('ends a session whose text is over 500 characters with an END screen, not a problem the gateway cannot show (issue 10)', async () => {
      const session = `ATUid_${randomUUID()}`;
      await ussd(app, session, PHONE, '');
      const before = (await bookingsOf()).length;
      const long = await ussd(app, session, PHONE, `1*${'1*'.repeat(300)}1`);
      expect(long.status).toBe(200);
      expect(long.contentType).toMatch(/^text\/plain/);
      expect(long.body).toBe('END Too many answers in one session. Please dial again.');
      expect((await bookingsOf()).length).toBe(before);
    });

    it('refuses a malformed callback with 422 naming the fields, and form bodies on other routes with 415', async () => {
      const response = await fetch(`${app.url}/v1/channels/ussd?key=${SECRET}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'text=1',
      });
      expect(response.status).toBe(422);
      const problem = (await response.json()) as { errors: Array<{ field: string }> };
      expect(problem.errors.map((e) => e.field).sort()).toEqual(['/phoneNumber', '/sessionId']);

      const elsewhere = await fetch(`${app.url}/v1/bookings`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${await app.token('channel')}`, 'idempotency-key': randomUUID() },
        body: 'centre=NBI-USSD',
      });
      expect(elsewhere.status).toBe(415);
    });
  });
});
