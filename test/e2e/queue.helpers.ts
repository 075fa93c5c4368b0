import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Clock } from '../../core/shared/clock';
import { startTestApp, type TestApp } from '../factories/app';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { openEventStream, type EventStream } from '../factories/event-stream';
import { centreBody } from './bookings.helpers';

export const ID_CARD = 'id-card-replacement';
export const BUSINESS = 'business-name-search';
/** In the catalogue, never offered by the test centres. */
export const SHA = 'sha-registration';

/** A catalogue of the demo's REST agencies only (NRB, BRS, SHA), copied so no agency is contacted. */
export function queueCatalogue(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-queue-catalogue-'));
  const demo = path.resolve(__dirname, '..', '..', 'contracts', 'catalogue');
  for (const agency of ['nrb', 'brs', 'sha']) cpSync(path.join(demo, agency), path.join(dir, agency), { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface QueueWorld {
  db: TestDatabase;
  app: TestApp;
  centre: string;
  close(): Promise<void>;
}

/** The queue specs' world: the gateway on a database of its own, the queue catalogue, and one centre made by `createCentre`. */
export async function startQueueWorld(options: { clock: Clock; centre?: string; extraCounters?: number; slotCapacity?: number }): Promise<QueueWorld> {
  const db = await createTestDatabase();
  const catalogue = queueCatalogue();
  let app: TestApp | undefined;
  const close = async (): Promise<void> => {
    await app?.close();
    await db.close();
    catalogue.remove();
  };
  try {
    app = await startTestApp({ databaseUrl: db.url, catalogueDir: catalogue.dir, clock: options.clock });
    const centre = options.centre ?? centreCode();
    await createCentre(app, centre, options.extraCounters ?? 0, options.slotCapacity ?? 0);
    return { db, app, centre, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export function centreCode(): string {
  return `TST-Q${randomBytes(4).toString('hex').toUpperCase()}`;
}

export interface Reply {
  status: number;
  contentType: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body read by tests
  body: any;
}

export async function call(app: TestApp, method: string, urlPath: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`${app.url}${urlPath}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return { status: response.status, contentType, body: text && contentType.includes('json') ? JSON.parse(text) : text };
}

/** POST /v1/centres/{code}/tickets with a fresh Idempotency-Key unless one is given. */
export function takeTicket(app: TestApp, token: string, centre: string, body: unknown, key: string = randomUUID()): Promise<Reply> {
  return call(app, 'POST', `/v1/centres/${centre}/tickets`, token, body, { 'idempotency-key': key });
}

/**
 * A centre open 08:00–17:00 every day, offering the ID card (A) and business-name search (B):
 * counter 1 serves both, 2 only ID cards, 3 only business names; `extra` more counters serve both.
 */
export async function createCentre(app: TestApp, code: string, extraCounters = 0, slotCapacity = 0): Promise<void> {
  const admin = await app.token('admin');
  const counters = [
    { code: '1', name: 'Counter 1', services: [ID_CARD, BUSINESS] },
    { code: '2', name: 'Counter 2', services: [ID_CARD] },
    { code: '3', name: 'Counter 3', services: [BUSINESS] },
    ...Array.from({ length: extraCounters }, (_, i) => ({ code: String(4 + i), name: `Counter ${4 + i}`, services: [ID_CARD, BUSINESS] })),
  ];
  const services = [
    { service: ID_CARD, ticketLetter: 'A', slotCapacity },
    { service: BUSINESS, ticketLetter: 'B', slotCapacity: 0 },
  ];
  const reply = await call(app, 'PUT', `/v1/centres/${code}`, admin, { ...centreBody(null, services, counters), name: 'Queue Test Centre' });
  if (reply.status !== 201) throw new Error(`creating centre ${code}: ${reply.status} ${JSON.stringify(reply.body)}`);
}

/** The centre's live board (SSE), collecting events until closed. */
export function openBoard(app: TestApp, centre: string): Promise<EventStream> {
  return openEventStream(`${app.url}/v1/centres/${centre}/board`);
}
