import { randomUUID } from 'node:crypto';
import { TicketRepository } from '../../core/walk-in/ticket.repository';
import { serviceRank, type PriorityClass } from '../../core/walk-in/domain/ticket';
import type { TestDatabase } from '../factories/database';
import type { TestApp } from '../factories/app';
import { describeWithPostgres } from '../factories/services';
import { inNairobi as at, SettableClock } from '../factories/clock';
import { call, ID_CARD, startQueueWorld, type QueueWorld } from './queue.helpers';

const DAY = '2026-11-24';
const TICKETS = 500;
/** Counters serving ID cards: 1, 2 and the 18 extra ones (3 serves business names only). */
const COUNTERS = ['1', '2', ...Array.from({ length: 18 }, (_, i) => String(4 + i))];
const CLASSES: PriorityClass[] = ['elderly', 'disability', 'expectant'];

/**
 * 20 counters call next at once against 500 waiting tickets, on real PostgreSQL (SKIP LOCKED
 * under real concurrency): every ticket is called exactly once, and order of service holds
 * except within the window of calls in flight at the same moment (at most 20).
 */
describeWithPostgres('call-next under load (20 counters, 500 tickets)', () => {
  let db: TestDatabase;
  let app: TestApp;
  let world: QueueWorld;
  const base = at(DAY, '09:00');
  const clock = new SettableClock(base);
  let centre: string;

  beforeAll(async () => {
    world = await startQueueWorld({ clock, extraCounters: 18 });
    ({ db, app, centre } = world);
  });

  afterAll(async () => {
    await world?.close();
  });

  it('calls every ticket once, in order of priority and arrival', async () => {
    const tickets = app.app.get(TicketRepository);
    // Every tenth an appointment due now, two in ten a protected class, the rest in arrival order.
    const classOf = (i: number): PriorityClass => (i % 10 === 0 ? 'appointment' : i % 10 <= 2 ? CLASSES[i % 3] : 'none');
    const issue = async (i: number) => {
      const arrivedAt = new Date(base.getTime() + i * 1000);
      const priorityClass = classOf(i);
      const appointment = priorityClass === 'appointment';
      await tickets.issue(
        { id: randomUUID(), centreCode: centre, localDay: DAY, arrivedAt, issuedBy: 'load-test', idempotencyScope: null, idempotencyKey: null },
        { serviceCode: ID_CARD, letter: 'A', priorityClass, bookingRef: appointment ? `LOAD-${i}` : null, slotStart: appointment ? at(DAY, '09:10') : null },
        (t) => ({ type: 'issued', centreCode: centre, localDay: DAY, serviceCode: ID_CARD, occurredAt: arrivedAt, actor: 'load-test', data: { kind: appointment ? 'appointment' : 'walk_in', arrivedAt: t.arrivedAt.toISOString() } }),
      );
    };
    for (let i = 0; i < TICKETS; i += 25) await Promise.all(Array.from({ length: 25 }, (_, k) => issue(i + k)));
    clock.set(at(DAY, '09:10'));

    const officers = await Promise.all(COUNTERS.map((counter) => app.token('officer', { centre, subject: `officer-${counter}` })));
    for (const [n, counter] of COUNTERS.entries()) {
      expect((await call(app, 'POST', `/v1/centres/${centre}/counters/${counter}/open`, officers[n])).status).toBe(201);
    }

    const latencies: number[] = [];
    const calledBy = new Map<string, string[]>();
    await Promise.all(
      COUNTERS.map(async (counter, n) => {
        for (let round = 0; round < TICKETS; round++) {
          const started = performance.now();
          const reply = await call(app, 'POST', `/v1/centres/${centre}/counters/${counter}/call-next`, officers[n]);
          latencies.push(performance.now() - started);
          expect(reply.status).toBe(200);
          if (!reply.body.ticket) return;
          calledBy.set(reply.body.ticket.id, [...(calledBy.get(reply.body.ticket.id) ?? []), counter]);
        }
      }),
    );

    expect(calledBy.size).toBe(TICKETS);
    expect([...calledBy.values()].filter((counters) => counters.length !== 1)).toEqual([]);
    const states = await db.pool.query(`SELECT state, count(*)::int AS n FROM queue_tickets WHERE centre_code = $1 GROUP BY state`, [centre]);
    expect(states.rows).toEqual([{ state: 'called', n: TICKETS }]);

    // Order of the calls as recorded, with each ticket's rank and arrival.
    const { rows } = await db.pool.query<{ priority_class: PriorityClass; slot_start: Date | null; arrived_at: Date }>(
      `SELECT t.priority_class, t.slot_start, t.arrived_at FROM queue_events e JOIN queue_tickets t ON t.id = e.ticket_id
        WHERE e.centre_code = $1 AND e.type = 'called' ORDER BY e.id`,
      [centre],
    );
    expect(rows).toHaveLength(TICKETS);
    const order = rows.map((r) => ({ rank: serviceRank({ priorityClass: r.priority_class, slotStart: r.slot_start }, clock.now()), arrived: r.arrived_at.getTime() }));
    const before = (a: { rank: number; arrived: number }, b: { rank: number; arrived: number }) => a.rank < b.rank || (a.rank === b.rank && a.arrived < b.arrived);
    let worstOvertaking = 0;
    for (let p = 0; p < order.length; p++) {
      for (let q = p + 1; q < order.length; q++) {
        if (before(order[q], order[p])) worstOvertaking = Math.max(worstOvertaking, q - p);
      }
    }
    expect(worstOvertaking).toBeLessThan(COUNTERS.length);
    expect(order.slice(0, 30).every((o) => o.rank === 0)).toBe(true);
    expect(order.slice(-300).every((o) => o.rank === 2)).toBe(true);

    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)].toFixed(1);
    console.log(`call-next over HTTP, 20 counters, ${latencies.length} calls: p50 ${pct(50)} ms, p99 ${pct(99)} ms, worst overtaking ${worstOvertaking}`);
  });
});
