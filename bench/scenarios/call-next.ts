/**
 * `call-next` (issue 5): 20 counters calling the next ticket at once. A bench centre with 20
 * counters (each serving the ID-card service), N waiting walk-in tickets (issued first through
 * POST /v1/centres/{code}/tickets), 20 officers each at their own counter, each in a loop
 * POST …/call-next until the queue is empty. Latency per call-next; every ticket must be called
 * exactly once. A board subscriber (GET /v1/centres/{code}/board, SSE) is connected throughout:
 * fan-out latency = time from the call-next response to that ticket's `called` event.
 * The calls go over an undici pool (a kept-alive connection per counter), not fetch: fetch cost the
 * load generator, on the same two cores as the api and PostgreSQL, about 0.4 ms of CPU per call.
 * A few hundred calls first, not measured, warm the api's JIT (a 2,000-call window was a quarter compiling).
 * The closed loop's latency is Little's law (20 ÷ calls/s): it measures the box's throughput. So after it
 * and the rounds come two open loops (lib/open-loop.ts): the counters' calls arriving at a fixed rate of
 * 50 % and 70 % of the capacity the closed loop measured, latency counted from each call's due time.
 */
import { benchCentreCode, createBenchCentre } from '../lib/centres';
import { describeCpuPerRequest, watchCpu } from '../lib/cpu';
import { requestJson } from '../lib/http';
import { watchStatements } from '../lib/probe/client';
import { describeLatencies, loadFromSamples, summarizeLatencies } from '../lib/latency';
import { openLoopFigures, openLoopMetrics, runOpenLoop, type OpenLoopResult } from '../lib/open-loop';
import { untilQuiet } from '../lib/recorded-requests';
import type { BenchContext, Scenario } from '../lib/scenario';
import { watchTail, type RequestSample, type TailReport } from '../lib/tail';
import { gatewayStack, stackProcesses, type GatewayStack } from '../lib/stack';
import { openEventStream } from '../../test/factories/event-stream';
import { loadavg } from 'node:os';
import { Pool } from 'undici';

const COUNTERS = 20;
/** The rounds after the closed loop: all counters call at the same moment, ROUND_PAUSE_MS apart. */
const ROUNDS = 25;
const ROUND_PAUSE_MS = 100;
/** Calls before the measured closed loop (from the same waiting tickets), so that it measures a warm api. */
const WARM_UP_CALLS = 400;
/** The open loops' arrival rates, as shares of the closed loop's calls/s; the targets row is the last. */
const OPEN_SHARES = [0.5, 0.7] as const;
/** Each open loop's length: every call needs a waiting ticket, issued through the api first. */
const OPEN_SECONDS = 5;
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
    const warmUpCalls = ctx.settings.quick ? 100 : WARM_UP_CALLS;
    const admin = await stack.deployment.token('admin', 'bench-admin');
    const centre = benchCentreCode('Q');
    const counters = Array.from({ length: COUNTERS }, (_, i) => String(i + 1));
    await createBenchCentre(stack, admin, centre, [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 0 }], counters.map((code) => ({ code, services: [SERVICE] })));

    let issued = 0;
    const issuing = await watchStatements({ api: stack.api.probe });
    const tickets = await issueTickets(ctx, stack, centre, n + warmUpCalls, 30, () => PRIORITIES[issued++ % PRIORITIES.length]);
    const { api: perIssue } = await issuing.stop(n + warmUpCalls);
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
      const pool = new Pool(stack.api.url, { connections: COUNTERS, pipelining: 1 });
      const callNextAt = (i: number) => callOnce(pool, `/v1/centres/${centre}/counters/${counters[i]}/call-next`, officers[i]);
      // Closed once, whatever fails after it opened (the measured loop, the rounds, the figures).
      try {
        const warmedIds = await warmUp(warmUpCalls, callNextAt);
        await untilQuiet(stack.api.probe);
        const closedLoad = loadavg()[0];
        const started = performance.now();
        const statements = await watchStatements({ api: stack.api.probe, worker: stack.worker.probe });
        const cpu = watchCpu(stackProcesses(stack));
        await ctx.measured(() => Promise.all(
          counters.map(async (_code, i) => {
            for (;;) {
              const call = await callNextAt(i);
              latencies.push(call.respondedAt - call.sentAt);
              if (call.status !== 200) {
                failures++;
                if (failures > 50) throw new Error(`call-next keeps failing: ${call.status} ${call.text}`);
                continue;
              }
              const ticket = ticketOf(call.status, call.text);
              if (!ticket) return;
              called.push({ id: ticket.id, number: ticket.number, sentAt: call.sentAt, respondedAt: call.respondedAt });
            }
          }),
        ));
        const elapsedSec = (performance.now() - started) / 1000;
        const cpuReport = cpu.stop(latencies.length);
        const { api: sent, worker: workerSent } = await statements.stop(latencies.length);
        const issuedOk = tickets.statusCodes['201'] ?? 0;
        const load = loadFromSamples({ samples: latencies, elapsedSec, concurrency: COUNTERS, ok: latencies.length - failures, failed: failures });
        const rounds = await callInRounds(ctx, stack, centre, ctx.settings.quick ? 5 : ROUNDS, callNextAt);
        const open = await openLoops(ctx, stack, centre, load.rps, ctx.settings.quick ? 2 : OPEN_SECONDS, counters.map((code, i) => ({
          path: `/v1/centres/${centre}/counters/${code}/call-next`,
          headers: { authorization: `Bearer ${officers[i]}` },
        })));
        const openCalled = open.flatMap((run) => run.called);
        // Give the last board messages a moment to arrive.
        await waitFor(() => board.events.filter((e) => e.event === 'called').length >= warmedIds.length + called.length + rounds.ids.length + openCalled.length, 5000);
        const eventAt = new Map<string, number>();
        for (const event of board.events) {
          if (event.event !== 'called') continue;
          const number = (event.data as { number?: string }).number;
          if (number && !eventAt.has(number)) eventAt.set(number, event.receivedAt);
        }
        const fanOut = called.flatMap((c) => (eventAt.has(c.number) ? [eventAt.get(c.number)! - c.respondedAt] : []));
        const sentToEvent = called.flatMap((c) => (eventAt.has(c.number) ? [eventAt.get(c.number)! - c.sentAt] : []));
        const uniqueIds = new Set([...warmedIds, ...called.map((c) => c.id)]).size;
        const everyId = [...warmedIds, ...called.map((c) => c.id), ...rounds.ids, ...openCalled.map((c) => c.id)];
        const openShown = openCalled.filter((c) => eventAt.has(c.number)).length;
        const [at50, at70] = open;
        return {
          target: `gateway api (pid ${stack.api.pid}) POST /v1/centres/${centre}/counters/{1..${COUNTERS}}/call-next, ${issuedOk} waiting`,
          load,
          cpu: cpuReport,
          metrics: {
            closedP99: load.p99,
            roundsP99: summarizeLatencies(rounds.latencies).p99,
            ...openLoopMetrics(open),
            ...(at70 ? at70.tail.metrics : {}),
          },
          figures: [
            { label: `issuing ${n} tickets (POST …/tickets, ${tickets.connections} connections)`, value: `${tickets.rps} req/s, p50 ${tickets.p50} / p99 ${tickets.p99} ms, ${JSON.stringify(tickets.statusCodes)}` },
            { label: 'api: SQL statements / Redis commands per issued ticket', value: `${perIssue.statements} / ${perIssue.redis} ${JSON.stringify(perIssue.redisByCommand)}` },
            { label: 'call-next latency (empty-queue calls included)', value: describeLatencies(summarizeLatencies(latencies)) },
            { label: 'tickets called per second', value: (called.length / elapsedSec).toFixed(1) },
            { label: 'api: SQL statements / Redis commands per call-next', value: `${sent.statements} / ${sent.redis} ${JSON.stringify(sent.redisByCommand)}` },
            { label: 'worker: SQL statements / Redis commands per call-next (its background work in the window)', value: `${workerSent.statements} / ${workerSent.redis} ${JSON.stringify(workerSent.redisByCommand)}` },
            { label: 'board fan-out: call-next response → SSE `called` event', value: describeLatencies(summarizeLatencies(fanOut)) },
            { label: 'board: call-next request sent → SSE `called` event', value: describeLatencies(summarizeLatencies(sentToEvent)) },
            {
              label: `in rounds: all ${COUNTERS} counters call at the same moment, then ${ROUND_PAUSE_MS} ms apart (${rounds.rounds} rounds)`,
              value: describeLatencies(summarizeLatencies(rounds.latencies)),
            },
            ...open.flatMap((run) => [
              ...openLoopFigures(run, 'calls/s', `open loop at ${run.share * 100} % of the closed loop's ${load.rps} calls/s: ${run.rate} calls/s due for ${run.seconds} s`, 'open loop at '),
              { label: `open loop at ${run.share * 100} %: CPU ms per call`, value: describeCpuPerRequest(run.cpu.msPerRequest) },
              ...run.tail.figures.map((figure) => ({ ...figure, label: `open loop at ${run.share * 100} % ${figure.label}` })),
            ]),
            {
              label: 'load average (1 min) as each window began: closed loop / open 50 % / open 70 %',
              value: [closedLoad, at50?.loadAverage, at70?.loadAverage].map((v) => (v === undefined ? '—' : v.toFixed(2))).join(' / '),
            },
          ],
          checks: [
            {
              label: 'every waiting ticket called exactly once (warm-up and closed loop)',
              ok: issuedOk === n + warmUpCalls && warmedIds.length + called.length === n + warmUpCalls && uniqueIds === n + warmUpCalls && failures === 0,
              detail: `${issuedOk} issued, ${warmedIds.length} warm-up and ${called.length} closed-loop calls returned a ticket, ${uniqueIds} distinct, ${failures} failed calls`,
            },
            {
              label: `open loops: every call answered with a ticket, none failed or timed out`,
              ok: open.every((run) => run.called.length === run.result.scheduled && run.result.load.non2xx === 0 && run.result.load.errors === 0),
              detail: open.map((run) => `${run.share * 100} %: ${run.called.length} tickets for ${run.result.scheduled} due, ${JSON.stringify(run.result.load.statusCodes)}`).join('; '),
            },
            {
              label: 'no ticket called twice in the whole run (warm-up, closed loop, rounds, open loops)',
              ok: new Set(everyId).size === everyId.length,
              detail: `${everyId.length} calls returned a ticket, ${new Set(everyId).size} distinct`,
            },
            {
              label: `in rounds: every call answered with a ticket`,
              ok: rounds.ids.length === rounds.latencies.length,
              detail: `${rounds.ids.length} of ${rounds.latencies.length} calls returned a ticket`,
            },
            {
              label: 'the board showed every call (closed loop and open loops)',
              ok: fanOut.length === called.length && openShown === openCalled.length,
              detail: `${fanOut.length} of ${called.length} closed-loop calls and ${openShown} of ${openCalled.length} open-loop calls seen; ${eventAt.size} called events in all`,
            },
          ],
          notes: [
            `closed loop: ${COUNTERS} counters ÷ ${load.rps} calls/s = ${((COUNTERS / load.rps) * 1000).toFixed(1)} ms mean latency by Little's law (measured ${load.mean} ms): ` +
              'each call waits behind the others in flight, so its p99 is the box\'s throughput, not a call\'s service time; the rounds (the counters calling at the same moment, then pausing) and the open loops (calls arriving at a fixed rate, latency from their due time) show a call\'s own latency',
            `${warmUpCalls} calls before the closed loop (tickets issued with the others) are not measured: they warm the api's JIT.`,
            'The CPU table is the closed loop\'s; each open loop\'s CPU per call is in its figures.',
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
  ctx: BenchContext,
  stack: GatewayStack,
  centre: string,
  rounds: number,
  callNextAt: (i: number) => Promise<{ status: number; text: string; sentAt: number; respondedAt: number }>,
): Promise<{ rounds: number; latencies: number[]; ids: string[] }> {
  await issueTickets(ctx, stack, centre, rounds * COUNTERS, 30);
  const latencies: number[] = [];
  const ids: string[] = [];
  for (let round = 0; round < rounds; round++) {
    await new Promise((resolve) => setTimeout(resolve, ROUND_PAUSE_MS));
    const calls = await ctx.measured(() => Promise.all(Array.from({ length: COUNTERS }, (_, i) => callNextAt(i))));
    for (const call of calls) {
      latencies.push(call.respondedAt - call.sentAt);
      const ticket = ticketOf(call.status, call.text);
      if (ticket) ids.push(ticket.id);
    }
  }
  return { rounds, latencies, ids };
}

/** `calls` calls spread over the counters, each counter one after another, not measured: the ids called. */
async function warmUp(calls: number, callNextAt: (i: number) => Promise<{ status: number; text: string }>): Promise<string[]> {
  const ids: string[] = [];
  await Promise.all(
    Array.from({ length: COUNTERS }, async (_, i) => {
      for (let k = i; k < calls; k += COUNTERS) {
        const call = await callNextAt(i);
        if (call.status !== 200) throw new Error(`call-next warm-up answered ${call.status}: ${call.text}`);
        const ticket = ticketOf(call.status, call.text);
        if (!ticket) throw new Error('call-next warm-up found the queue empty');
        ids.push(ticket.id);
      }
    }),
  );
  return ids;
}

interface OpenRun {
  share: number;
  rate: number;
  seconds: number;
  result: OpenLoopResult;
  called: Array<{ id: string; number: string }>;
  cpu: ReturnType<ReturnType<typeof watchCpu>['stop']>;
  loadAverage: number;
  /** Where its tail came from (lib/tail.ts), raw samples in bench/results/tail/call-next-open-<share>-<time>.json. */
  tail: TailReport;
}

/**
 * For each share of the closed loop's capacity: issues the tickets the window needs (and a few more),
 * then sends call-next at that fixed rate, arrival n as requests[n mod 20] (counter n mod 20), latency from its due time.
 */
async function openLoops(
  ctx: BenchContext,
  stack: GatewayStack,
  centre: string,
  capacity: number,
  seconds: number,
  requests: Array<{ path: string; headers: Record<string, string> }>,
): Promise<OpenRun[]> {
  const runs: OpenRun[] = [];
  for (const share of OPEN_SHARES) {
    const rate = Math.max(1, Math.round(capacity * share));
    const due = Math.max(1, Math.round(rate * seconds));
    await issueTickets(ctx, stack, centre, due + COUNTERS, 60);
    await untilQuiet(stack.api.probe);
    ctx.log(`call-next: open loop at ${rate} calls/s (${share * 100} % of ${capacity}) for ${seconds} s`);
    const called: OpenRun['called'] = [];
    const loadAverage = loadavg()[0];
    const cpu = watchCpu(stackProcesses(stack));
    const samples: RequestSample[] = [];
    const tailWatch = await watchTail({
      label: `call-next-open-${share * 100}`,
      api: stack.api.probe,
      databaseUrl: stack.deployment.databaseUrl,
      adminDatabaseUrl: ctx.settings.adminDatabaseUrl,
      processes: stackProcesses(stack),
    });
    try {
      const result = await ctx.measured(() =>
        runOpenLoop({
          url: stack.api.url,
          path: (n) => requests[n % requests.length].path,
          headers: (n) => requests[n % requests.length].headers,
          body: null,
          rate,
          durationSec: seconds,
          connections: 4 * COUNTERS,
          samples,
          onResponse: (status, text) => {
            const ticket = ticketOf(status, text);
            if (ticket) called.push(ticket);
          },
        }),
      );
      const cpuReport = cpu.stop(result.load.requests);
      runs.push({ share, rate, seconds, result, called, cpu: cpuReport, loadAverage, tail: await tailWatch.stop(samples) });
    } finally {
      // A failed load must not leave the sampler querying PostgreSQL.
      await tailWatch.cancel();
    }
  }
  return runs;
}

interface CallNextBody {
  ticket: { id: string; number: string } | null;
}

/** The ticket a call-next answer called: null when the queue was empty or the answer was not a 200 (call-next answers 200). */
function ticketOf(status: number, text: string): CallNextBody['ticket'] {
  return status === 200 ? (JSON.parse(text) as CallNextBody).ticket : null;
}

/** Issues `amount` walk-in tickets through the api (priority 'none' unless `priority` gives each one), in the tickets' load window. */
function issueTickets(ctx: BenchContext, stack: GatewayStack, centre: string, amount: number, timeoutSec: number, priority?: () => string) {
  return ctx.load({
    url: stack.api.url,
    path: `/v1/centres/${centre}/tickets`,
    headers: { authorization: `Bearer ${stack.channelToken}` },
    ...(priority ? { makeBody: () => ({ service: SERVICE, priority: priority() }) } : { body: { service: SERVICE, priority: 'none' } }),
    amount,
    timeoutSec,
  }, TICKETS_WINDOW);
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
