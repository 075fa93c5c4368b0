/**
 * `call-next` (issue 5): 20 counters calling the next ticket at once. A bench centre with 20
 * counters (each serving the ID-card service), N waiting walk-in tickets (issued first through
 * POST /v1/centres/{code}/tickets), 20 officers each at their own counter, each in a loop
 * POST …/call-next until the queue is empty. Latency per call-next; every ticket must be called
 * exactly once. A board subscriber (GET /v1/centres/{code}/board, SSE) is connected throughout:
 * fan-out latency = time from the call-next response to that ticket's `called` event.
 * The calls go over an undici pool (a kept-alive connection per counter), not fetch: fetch cost the
 * load generator, on the same two cores as the api and PostgreSQL, about 0.4 ms of CPU per call.
 */
import { benchCentreCode, createBenchCentre } from '../lib/centres';
import { watchCpu } from '../lib/cpu';
import { requestJson } from '../lib/http';
import { watchStatements } from '../lib/probe/client';
import { describeLatencies, loadFromSamples, summarizeLatencies } from '../lib/latency';
import type { Scenario } from '../lib/scenario';
import { gatewayStack, stackProcesses } from '../lib/stack';
import { openEventStream } from '../../test/factories/event-stream';
import { Pool } from 'undici';

const COUNTERS = 20;
/** The rounds after the closed loop: all counters call at the same moment, ROUND_PAUSE_MS apart. */
const ROUNDS = 25;
const ROUND_PAUSE_MS = 100;
const SERVICE = 'id-card-replacement';
const PRIORITIES = ['none', 'none', 'none', 'elderly', 'none', 'expectant', 'none', 'disability'];
/** The load windows of issuing the tickets are named apart: a profile cut to `call-next` shows the calls only. */
const TICKETS_WINDOW = 'call-next:tickets';

interface Called {
  id: string;
  number: string;
  sentAt: number;
  respondedAt: number;
}

export const callNext: Scenario = {
  name: 'call-next',
  summary: `${COUNTERS} counters calling next at once against N waiting tickets (N = 2,000; 500 with --quick); board fan-out latency`,
  async run(ctx) {
    const stack = await gatewayStack(ctx);
    const n = ctx.settings.quick ? 500 : 2000;
    const admin = await stack.deployment.token('admin', 'bench-admin');
    const centre = benchCentreCode('Q');
    const counters = Array.from({ length: COUNTERS }, (_, i) => String(i + 1));
    await createBenchCentre(stack, admin, centre, [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 0 }], counters.map((code) => ({ code, services: [SERVICE] })));

    let issued = 0;
    const issuing = await watchStatements({ api: stack.api.probe });
    const tickets = await ctx.load({
      url: stack.api.url,
      path: `/v1/centres/${centre}/tickets`,
      headers: { authorization: `Bearer ${stack.channelToken}` },
      makeBody: () => ({ service: SERVICE, priority: PRIORITIES[issued++ % PRIORITIES.length] }),
      amount: n,
      timeoutSec: 30,
    }, TICKETS_WINDOW);
    const { api: perIssue } = await issuing.stop(n);
    const officers = await Promise.all(counters.map((code) => stack.deployment.token('officer', `bench-officer-${centre}-${code}`, { centre })));
    await Promise.all(
      counters.map(async (code, i) => {
        const { status, body } = await requestJson(`${stack.api.url}/v1/centres/${centre}/counters/${code}/open`, { method: 'POST', headers: { authorization: `Bearer ${officers[i]}` } });
        if (status !== 201 && status !== 200) throw new Error(`opening counter ${code} answered ${status}: ${JSON.stringify(body)}`);
      }),
    );

    const board = await openEventStream(`${stack.api.url}/v1/centres/${centre}/board`);
    if (board.status !== 200) {
      board.close();
      throw new Error(`GET /v1/centres/${centre}/board answered ${board.status}`);
    }
    try {
      await board.ready;
      const latencies: number[] = [];
      const called: Called[] = [];
      let failures = 0;
      const started = performance.now();
      const statements = await watchStatements({ api: stack.api.probe });
      const cpu = watchCpu(stackProcesses(stack));
      const pool = new Pool(stack.api.url, { connections: COUNTERS, pipelining: 1 });
      const callNextAt = (i: number) => callOnce(pool, `/v1/centres/${centre}/counters/${counters[i]}/call-next`, officers[i]);
      // Closed once, whatever fails after it opened (the measured loop, the rounds, the figures).
      try {
        await ctx.measured(() => Promise.all(
          counters.map(async (_code, i) => {
            for (;;) {
              const call = await callNextAt(i);
              latencies.push(call.respondedAt - call.sentAt);
              if (call.status !== 200 && call.status !== 201) {
                failures++;
                if (failures > 50) throw new Error(`call-next keeps failing: ${call.status} ${call.text}`);
                continue;
              }
              const body = JSON.parse(call.text) as { ticket: { id: string; number: string } | null };
              if (!body.ticket) return;
              called.push({ id: body.ticket.id, number: body.ticket.number, sentAt: call.sentAt, respondedAt: call.respondedAt });
            }
          }),
        ));
        const elapsedSec = (performance.now() - started) / 1000;
        const cpuReport = cpu.stop(latencies.length);
        const { api: sent } = await statements.stop(latencies.length);
        // Give the last board messages a moment to arrive.
        await waitFor(() => board.events.filter((e) => e.event === 'called').length >= called.length, 5000);
        const eventAt = new Map<string, number>();
        for (const event of board.events) {
          if (event.event !== 'called') continue;
          const number = (event.data as { number?: string }).number;
          if (number && !eventAt.has(number)) eventAt.set(number, event.receivedAt);
        }
        const fanOut = called.flatMap((c) => (eventAt.has(c.number) ? [eventAt.get(c.number)! - c.respondedAt] : []));
        const sentToEvent = called.flatMap((c) => (eventAt.has(c.number) ? [eventAt.get(c.number)! - c.sentAt] : []));
        const uniqueIds = new Set(called.map((c) => c.id)).size;
        const issuedOk = tickets.statusCodes['201'] ?? 0;
        const load = loadFromSamples({ samples: latencies, elapsedSec, concurrency: COUNTERS, ok: latencies.length - failures, failed: failures });
        const rounds = await callInRounds(ctx, stack, centre, ctx.settings.quick ? 5 : ROUNDS, callNextAt);
        return {
          target: `gateway api (pid ${stack.api.pid}) POST /v1/centres/${centre}/counters/{1..${COUNTERS}}/call-next, ${issuedOk} waiting`,
          load,
          cpu: cpuReport,
          figures: [
            { label: `issuing ${n} tickets (POST …/tickets, ${tickets.connections} connections)`, value: `${tickets.rps} req/s, p50 ${tickets.p50} / p99 ${tickets.p99} ms, ${JSON.stringify(tickets.statusCodes)}` },
            { label: 'api: SQL statements / Redis commands per issued ticket', value: `${perIssue.statements} / ${perIssue.redis} ${JSON.stringify(perIssue.redisByCommand)}` },
            { label: 'call-next latency (empty-queue calls included)', value: describeLatencies(summarizeLatencies(latencies)) },
            { label: 'tickets called per second', value: (called.length / elapsedSec).toFixed(1) },
            { label: 'api: SQL statements / Redis commands per call-next', value: `${sent.statements} / ${sent.redis} ${JSON.stringify(sent.redisByCommand)}` },
            { label: 'board fan-out: call-next response → SSE `called` event', value: describeLatencies(summarizeLatencies(fanOut)) },
            { label: 'board: call-next request sent → SSE `called` event', value: describeLatencies(summarizeLatencies(sentToEvent)) },
            {
              label: `in rounds: all ${COUNTERS} counters call at the same moment, then ${ROUND_PAUSE_MS} ms apart (${rounds.rounds} rounds)`,
              value: describeLatencies(summarizeLatencies(rounds.latencies)),
            },
          ],
          checks: [
            {
              label: 'every waiting ticket called exactly once',
              ok: issuedOk === n && called.length === n && uniqueIds === n && failures === 0,
              detail: `${issuedOk} issued, ${called.length} calls returned a ticket, ${uniqueIds} distinct, ${failures} failed calls`,
            },
            {
              label: `in rounds: every call answered with a ticket`,
              ok: rounds.withTicket === rounds.latencies.length,
              detail: `${rounds.withTicket} of ${rounds.latencies.length} calls returned a ticket`,
            },
            {
              label: 'the board showed every call',
              ok: fanOut.length === called.length,
              detail: `${eventAt.size} called events for ${called.length} calls`,
            },
          ],
          notes: [
            `closed loop: ${COUNTERS} counters ÷ ${load.rps} calls/s = ${((COUNTERS / load.rps) * 1000).toFixed(1)} ms mean latency by Little's law (measured ${load.mean} ms): ` +
              'each call waits behind the others in flight, so its p99 is the box\'s throughput, not a call\'s service time; the rounds (the counters calling at the same moment, then pausing) show that',
            'Fan-out is negative when the board event reaches the subscriber before the officer gets the call-next response (the api publishes before it answers).',
            'Board messages travel over Redis pub/sub (REDIS_URL is set), as they do across api replicas.',
          ],
        };
      } finally {
        await pool.close();
      }
    } finally {
      board.close();
    }
  },
};

/** Issues rounds × COUNTERS more tickets, then calls them in rounds: every counter at once, all answered, a pause. */
async function callInRounds(
  ctx: Parameters<Scenario['run']>[0],
  stack: Awaited<ReturnType<typeof gatewayStack>>,
  centre: string,
  rounds: number,
  callNextAt: (i: number) => Promise<{ status: number; text: string; sentAt: number; respondedAt: number }>,
): Promise<{ rounds: number; latencies: number[]; withTicket: number }> {
  await ctx.load({
    url: stack.api.url,
    path: `/v1/centres/${centre}/tickets`,
    headers: { authorization: `Bearer ${stack.channelToken}` },
    body: { service: SERVICE, priority: 'none' },
    amount: rounds * COUNTERS,
    timeoutSec: 30,
  }, TICKETS_WINDOW);
  const latencies: number[] = [];
  let withTicket = 0;
  for (let round = 0; round < rounds; round++) {
    await new Promise((resolve) => setTimeout(resolve, ROUND_PAUSE_MS));
    const calls = await ctx.measured(() => Promise.all(Array.from({ length: COUNTERS }, (_, i) => callNextAt(i))));
    for (const call of calls) {
      latencies.push(call.respondedAt - call.sentAt);
      if ((call.status === 200 || call.status === 201) && (JSON.parse(call.text) as { ticket: unknown }).ticket) withTicket++;
    }
  }
  return { rounds, latencies, withTicket };
}

async function callOnce(pool: Pool, path: string, token: string): Promise<{ status: number; text: string; sentAt: number; respondedAt: number }> {
  const sentAt = performance.now();
  const response = await pool.request({ method: 'POST', path, headers: { authorization: `Bearer ${token}` }, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const text = await response.body.text();
  return { status: response.statusCode, text, sentAt, respondedAt: performance.now() };
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}
