/**
 * The system under fuzz: the real gateway (api + worker) on a fresh PostgreSQL database, the NRB
 * agency played by the REST simulator (test catalogue: REST agencies only), one centre with a
 * counter, and one booking, ticket and transaction, so that generated ids sometimes name
 * something that exists and requests get past the lookup. The app runs on a clock that starts at
 * the instant the suite chooses (`test/factories/clock.ts`), never at the hour CI happens to run.
 */
import { randomUUID } from 'node:crypto';
import type { Role } from '../../core/authorization/roles';
import { startTestApp, type TestApp } from '../factories/app';
import { newSealKey } from '../factories/audit-world';
import { inNairobi, RunningClock } from '../factories/clock';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { bookingBody, centreBody, day, slotAt } from '../e2e/bookings.helpers';
import { nrbEnvelope } from '../e2e/transactions.helpers';

export const CENTRE = 'NRB-GPO';
export const COUNTER = '1';
export const SERVICE = 'id-card-replacement';
export const AGENCY = 'nrb';

/** Tables a rejected request must leave as they were. Audit events written by the worker itself (`system:…`) are not the request's. */
const STORED_COUNTS = `SELECT
  (SELECT count(*) FROM transactions) AS transactions,
  (SELECT count(*) FROM bookings) AS bookings,
  (SELECT count(*) FROM queue_tickets) AS tickets,
  (SELECT count(*) FROM ticket_feedback) AS feedback,
  (SELECT count(*) FROM idempotency_keys) AS idempotency_keys,
  (SELECT count(*) FROM centres) AS centres,
  (SELECT count(*) FROM audit_events WHERE actor NOT LIKE 'system:%') AS audit_events`;

export type StoredCounts = Record<string, string>;

export interface FuzzWorld {
  db: TestDatabase;
  agency: RestAgencySimulator;
  app: TestApp;
  /** One valid token per role (officers bound to CENTRE, agency callers to AGENCY). */
  tokens: Record<Role, string>;
  expiredToken: string;
  /** Field or parameter name → values that exist (used beside generated ones). */
  known: Record<string, string[]>;
  counts(): Promise<StoredCounts>;
  close(): Promise<void>;
}

/** The world as it is at `at`: seeded the day before at 10:00, when the centre takes walk-ins, then moved on to `at`. */
export async function startFuzzWorld(at: Date): Promise<FuzzWorld> {
  const db = await createTestDatabase();
  const agency = await startRestAgency({ referencePrefix: 'NRB' });
  const clock = new RunningClock(inNairobi(day(-1, at), '10:00'));
  // A deployment as configured for production: with a key for the audit seals (POST /v1/audit/seals).
  const app = await startTestApp({ databaseUrl: db.url, endpointOverrides: { [AGENCY]: agency.url }, clock, env: { KIUNGO_SEAL_KEY: newSealKey() } });
  try {
    const roles: Role[] = ['channel', 'officer', 'manager', 'operator', 'auditor', 'agency', 'admin', 'personal-data'];
    const tokens = Object.fromEntries(
      await Promise.all(roles.map(async (role) => [role, await app.token(role, { subject: `fuzz-${role}`, centre: CENTRE, agency: AGENCY })] as const)),
    ) as Record<Role, string>;
    const expiredToken = await app.token('admin', { expiresIn: -60 });
    const seeded = await seed(app, tokens, clock, at);
    return {
      db,
      agency,
      app,
      tokens,
      expiredToken,
      known: {
        code: [CENTRE, SERVICE, AGENCY],
        counter: [COUNTER],
        id: [seeded.transactionId, seeded.ticketId, randomUUID()],
        reference: [seeded.bookingReference],
        service: [SERVICE],
        centre: [CENTRE],
        citizen: ['12345678'],
        date: [day(1, at)],
        from: [day(0, at)],
        to: [day(7, at)],
      },
      counts: async () => (await db.pool.query<StoredCounts>(STORED_COUNTS)).rows[0],
      close: async () => {
        await app.close();
        await agency.close();
        await db.close();
      },
    };
  } catch (error) {
    await app.close();
    await agency.close();
    await db.close();
    throw error;
  }
}

async function seed(
  app: TestApp,
  tokens: Record<Role, string>,
  clock: RunningClock,
  at: Date,
): Promise<{ transactionId: string; ticketId: string; bookingReference: string }> {
  const counters = [{ code: COUNTER, name: 'Counter 1', services: [SERVICE] }];
  await expectStatus(app, 'PUT', `/v1/centres/${CENTRE}`, tokens.admin, centreBody(day(20, at), [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 5 }], counters), [201, 200]);
  // 202 when the box is so loaded that the inline call outlives its timeout: the id exists either way.
  const transaction = await expectStatus(app, 'POST', '/v1/transactions', tokens.officer, nrbEnvelope(), [200, 202]);
  const ticket = await expectStatus(app, 'POST', `/v1/centres/${CENTRE}/tickets`, tokens.officer, { service: SERVICE }, [201, 200]);
  clock.set(at);
  // Booking works at any hour, closed or not.
  const booking = await expectStatus(app, 'POST', '/v1/bookings', tokens.channel, bookingBody(CENTRE, slotAt(day(1, at), '10:00'), 1), [201]);
  return { transactionId: String(transaction.id), ticketId: String(ticket.id), bookingReference: String(booking.reference) };
}

async function expectStatus(app: TestApp, method: string, path: string, token: string, body: unknown, statuses: number[]): Promise<Record<string, unknown>> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!statuses.includes(response.status)) throw new Error(`fuzz seed: ${method} ${path} answered ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}
