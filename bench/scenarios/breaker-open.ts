/**
 * `breaker-open`: the agency is down and the api's nrb breaker is open. POST /v1/transactions is
 * recorded and answered 202 without calling the agency; the agency's call count over the window
 * shows the breaker holding (one half-open trial per process per resetTimeout at most).
 * Keep it last in the run order: it leaves a retry backlog the worker keeps working on.
 */
import path from 'node:path';
import { loadCatalogue } from '../../contracts/src/catalogue.loader';
import { watchCpu } from '../lib/cpu';
import { requestJson } from '../lib/http';
import { watchStatements } from '../lib/probe/client';
import { recordRequests, requestCost, untilQuiet } from '../lib/recorded-requests';
import { sleep } from '../lib/processes';
import { REPO_ROOT } from '../lib/repo';
import type { Scenario } from '../lib/scenario';
import type { SimulatorHandle } from '../lib/simulator';
import { gatewayStack, stackProcesses, submitTransactionLoad, type GatewayStack } from '../lib/stack';

const AGENCY = 'nrb';
const TRIP_MAX_REQUESTS = 200;
const TRIP_MAX_MS = 30_000;
/** The worker retries the transactions of the trip and opens its own breaker; wait for that. */
const QUIET_FOR_MS = 3000;
const QUIET_MAX_MS = 20_000;
/** The api and the worker each hold their own breaker, each allowed one trial per resetTimeout. */
const PROCESSES_CALLING_AGENCY = 2;

export const breakerOpen: Scenario = {
  name: 'breaker-open',
  summary: 'agency down, api breaker open: POST /v1/transactions answered 202 without an agency call',
  baseline: 'gateway',
  async run(ctx) {
    const stack = await gatewayStack(ctx);
    const { simulator } = stack;
    const { resetTimeoutMs, rollingCountTimeoutMs } = breakerSettings();
    const operatorToken = await stack.deployment.token('operator', 'bench-operator');
    const request = submitTransactionLoad(stack.api, stack.channelToken);
    await simulator.reset();
    await simulator.setMode('down');
    try {
      // The breaker counts the last rollingCountTimeoutMs: the successes of the scenario before
      // would outweigh the trip's failures (50 % needed), so let them roll out of the window first.
      await sleep(rollingCountTimeoutMs);
      const trip = await tripBreaker(stack, operatorToken);
      const settle = await waitForQuietAgency(simulator);
      await ctx.warmUp(request);
      await untilQuiet(stack.api.probe);

      const callsBefore = await simulator.calls();
      const started = Date.now();
      const statements = await watchStatements({ api: stack.api.probe, worker: stack.worker.probe });
      const cpu = watchCpu(stackProcesses(stack));
      const load = await ctx.load({ ...request, durationSec: ctx.settings.shortDurationSec });
      const cpuReport = cpu.stop(load.requests);
      const window = await statements.stop(load.requests);
      const windowMs = Date.now() - started;
      const callsDuring = (await simulator.calls()) - callsBefore;
      const breakerAfter = await breakerState(stack, operatorToken);
      const recorded = await recordRequests({ probe: stack.api.probe, request, databaseUrl: stack.deployment.databaseUrl, count: 3, expectStatus: 202 });

      const allowed = PROCESSES_CALLING_AGENCY * (Math.floor(windowMs / resetTimeoutMs) + 1);
      const codes = Object.keys(load.statusCodes);
      return {
        target: `gateway api (pid ${stack.api.pid}) POST /v1/transactions, ${AGENCY} down, breaker open`,
        load,
        figures: [
          { label: 'requests until the api breaker opened', value: `${trip.requests} in ${trip.ms} ms` },
          { label: 'agency calls while the worker caught up', value: `${settle.calls} in ${settle.ms} ms` },
          { label: 'agency calls during the window', value: `${callsDuring} in ${(windowMs / 1000).toFixed(1)} s` },
          { label: 'breaker resetTimeout / state after', value: `${resetTimeoutMs} ms / ${breakerAfter}` },
          {
            label: 'worker while the breaker is open (its retries churning?): statements / Redis commands per second',
            value: `${((window.worker.statements * load.requests) / (windowMs / 1000)).toFixed(0)} / ${((window.worker.redis * load.requests) / (windowMs / 1000)).toFixed(0)}`,
          },
        ],
        checks: [
          {
            label: 'every answer 202 (accepted, agency not waited for)',
            ok: codes.length === 1 && codes[0] === '202' && load.errors === 0,
            detail: `${JSON.stringify(load.statusCodes)}, ${load.errors} errors`,
          },
          {
            label: 'agency call count stays flat (half-open trials only)',
            ok: callsDuring <= allowed,
            detail: `${callsDuring} calls, at most ${allowed} expected (${PROCESSES_CALLING_AGENCY} processes × one trial per ${resetTimeoutMs} ms)`,
          },
        ],
        cpu: cpuReport,
        requestCost: requestCost(recorded, window),
        notes: [
          `The breaker half-opens every ${resetTimeoutMs} ms for one trial call; the worker has its own breaker and retries the 202s in the background.`,
        ],
      };
    } finally {
      await simulator.setMode('healthy');
    }
  },
};

function breakerSettings(): { resetTimeoutMs: number; rollingCountTimeoutMs: number } {
  const agency = loadCatalogue(path.join(REPO_ROOT, 'contracts', 'catalogue')).agency(AGENCY);
  if (!agency) throw new Error(`agency ${AGENCY} is not in contracts/catalogue`);
  const { resetTimeoutMs, rollingCountTimeoutMs } = agency.resilience.breaker;
  return { resetTimeoutMs, rollingCountTimeoutMs };
}

async function breakerState(stack: GatewayStack, operatorToken: string): Promise<string> {
  const { status, body } = await requestJson<{ items: Array<{ code: string; breaker: string }> }>(`${stack.api.url}/v1/agencies`, {
    headers: { authorization: `Bearer ${operatorToken}` },
  });
  if (status !== 200) throw new Error(`GET /v1/agencies answered ${status}: ${JSON.stringify(body)}`);
  const agency = body.items.find((item) => item.code === AGENCY);
  if (!agency) throw new Error(`GET /v1/agencies does not list ${AGENCY}`);
  return agency.breaker;
}

/** One transaction at a time until the api reports the breaker open. */
async function tripBreaker(stack: GatewayStack, operatorToken: string): Promise<{ requests: number; ms: number }> {
  const started = Date.now();
  const request = submitTransactionLoad(stack.api, stack.channelToken);
  for (let requests = 1; requests <= TRIP_MAX_REQUESTS && Date.now() - started < TRIP_MAX_MS; requests++) {
    const { status } = await requestJson(`${request.url}${request.path}`, {
      method: 'POST',
      headers: { ...request.headers, 'idempotency-key': `bench-trip-${Date.now()}-${requests}` },
      body: request.body,
    });
    if (status !== 202) throw new Error(`while tripping the breaker, POST /v1/transactions answered ${status} (expected 202)`);
    if ((await breakerState(stack, operatorToken)) === 'open') return { requests, ms: Date.now() - started };
  }
  throw new Error(`the ${AGENCY} breaker did not open after ${TRIP_MAX_REQUESTS} requests / ${TRIP_MAX_MS} ms with the agency down`);
}

/** Until the agency's call count has not moved for QUIET_FOR_MS (or QUIET_MAX_MS passed). */
async function waitForQuietAgency(simulator: SimulatorHandle): Promise<{ calls: number; ms: number }> {
  const started = Date.now();
  const first = await simulator.calls();
  let last = first;
  let quietSince = Date.now();
  while (Date.now() - quietSince < QUIET_FOR_MS && Date.now() - started < QUIET_MAX_MS) {
    await sleep(500);
    const now = await simulator.calls();
    if (now !== last) quietSince = Date.now();
    last = now;
  }
  return { calls: last - first, ms: Date.now() - started };
}
