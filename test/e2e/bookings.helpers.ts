import { randomUUID } from 'node:crypto';
import type { TestApp } from '../factories/app';
import { addDays, localDate, zonedInstant } from '../../core/centres/domain/local-time';
import { NAIROBI } from '../factories/clock';

export const SERVICE = 'id-card-replacement';

export interface Reply {
  status: number;
  contentType: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body read by tests
  body: any;
}

export async function call(app: TestApp, method: string, path: string, token: string, body?: unknown, idempotencyKey?: string): Promise<Reply> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(method === 'POST' && path === '/v1/bookings' ? { 'idempotency-key': idempotencyKey ?? randomUUID() } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}

/** The local day `days` after today at the centre. */
export function day(days: number, now = new Date()): string {
  return addDays(localDate(now, NAIROBI), days);
}

/** `HH:MM` on a local day, as the ISO instant a client would send (with the +03:00 offset). */
export function slotAt(date: string, time: string): string {
  const [h, m] = time.split(':').map(Number);
  const instant = zonedInstant(date, h * 60 + m, NAIROBI);
  return new Date(instant.getTime() + 3 * 3600_000).toISOString().replace('Z', '+03:00');
}

export function citizen(n: number): { idNumber: string; phone: string } {
  return { idNumber: String(20_000_000 + n), phone: `+2547${String(10_000_000 + n).slice(-8)}` };
}

export function bookingBody(centre: string, slotStart: string, n: number, service = SERVICE): Record<string, unknown> {
  return { centre, service, slotStart, citizen: citizen(n), channel: 'portal' };
}

/** A centre open 08:00–17:00 every day; `holiday` (a date) closes it that day. */
export function centreBody(holiday: string | null, services: unknown[], counters: unknown[] = []): Record<string, unknown> {
  return {
    name: 'Test Huduma Centre',
    county: 'Nairobi',
    slotMinutes: 30,
    bookingHorizonDays: 30,
    noShowGraceMinutes: 15,
    openingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '08:00', closes: '17:00' })),
    holidays: holiday ? [{ date: holiday, name: 'Test Day' }] : [],
    services,
    counters,
  };
}
