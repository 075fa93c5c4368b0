/**
 * `replay` (issue 4): how fast a stored backlog drains when an agency comes back. NRB is forced to
 * `manual` (PUT /v1/agencies/nrb/mode, operator token); N transactions are submitted (store-and-
 * forward: 202, state `manual`, no agency call); NRB is switched back to `auto` and the clock runs
 * until none of the N is left in the backlog. The bench catalogue raises NRB's `replay.perSecond`
 * (bench/lib/catalogue.ts) so the figure is Kiungo's pace, not the demo's configured 20/s.
 * Table row: req/s = transactions replayed per second (auto → drained); p50/p99 = time from the
 * switch to `auto` until each transaction was completed.
 */
import { requestJson } from '../lib/http';
import { withClient } from '../lib/database';
import { loadFromSamples } from '../lib/latency';
import { watchCpu } from '../lib/cpu';
import { sleep } from '../lib/processes';
import type { Scenario } from '../lib/scenario';
import { gatewayStack, stackProcesses, submitTransactionLoad, type GatewayStack } from '../lib/stack';

const AGENCY = 'nrb';
/** Agency modes are cached for at most a second in every process. */
const MODE_PROPAGATION_MS = 1500;

interface ReplayView {
  paused: boolean;
  perSecond: number;
  backlog: number;
  replayed?: number;
  failed?: number;
  etaSeconds: number | null;
}

export const replay: Scenario = {
  name: 'replay',
  summary: 'NRB in manual mode: store N transactions, switch to auto, time until the backlog is replayed (N = 10,000; 500 with --quick)',
  async run(ctx) {
    const stack = await gatewayStack(ctx);
    const n = replayCount(ctx.settings.quick);
    const operator = await stack.deployment.token('operator', 'bench-operator');
    await stack.simulator.reset();
    await setMode(stack, operator, 'manual');
    let switchedBack = false;
    try {
      await sleep(MODE_PROPAGATION_MS);
      const since = await databaseNow(stack);
      ctx.log(`replay: storing ${n} transactions with ${AGENCY} in manual mode`);
      const store = await ctx.load({ ...submitTransactionLoad(stack.api, stack.channelToken), amount: n, timeoutSec: 30 });
      const stored = await countByState(stack, since);
      const callsWhileManual = await stack.simulator.calls();

      const autoAt = await databaseNow(stack);
      const started = performance.now();
      const cpu = watchCpu(stackProcesses(stack));
      await setMode(stack, operator, 'auto');
      switchedBack = true;
      const timeoutMs = Math.max(120_000, n * 30);
      let firstReplayMs: number | undefined;
      let left = stored.manual ?? 0;
      while (left > 0) {
        if (performance.now() - started > timeoutMs) throw new Error(`backlog not drained after ${timeoutMs} ms: ${left} of ${stored.manual} still waiting`);
        await sleep(200);
        const now = await countByState(stack, since);
        left = (now.manual ?? 0) + (now.received ?? 0) + (now.dispatched ?? 0) + (now.retrying ?? 0);
        if (firstReplayMs === undefined && left < (stored.manual ?? 0)) firstReplayMs = performance.now() - started;
      }
      const drainedMs = performance.now() - started;
      const cpuReport = cpu.stop(stored.manual ?? 0);
      const finalStates = await countByState(stack, since);
      const completionMs = await completionTimes(stack, since, autoAt);
      const view = await agencyReplay(stack, operator);
      const agency = await stack.simulator.counts();
      const storedManual = stored.manual ?? 0;
      const replayWindowSec = (drainedMs - (firstReplayMs ?? 0)) / 1000;
      const load = {
        ...loadFromSamples({ samples: completionMs, elapsedSec: drainedMs / 1000, concurrency: 1, ok: finalStates.completed ?? 0, failed: storedManual - (finalStates.completed ?? 0) }),
        statusCodes: finalStates,
      };
      return {
        target: `worker replay of ${storedManual} stored ${AGENCY} transactions → REST simulator (pid ${stack.simulator.pid})`,
        load,
        cpu: cpuReport,
        figures: [
          { label: `storing in manual mode (POST /v1/transactions → 202 manual, ${store.connections} connections)`, value: `${store.rps} req/s, p50 ${store.p50} / p99 ${store.p99} ms, ${JSON.stringify(store.statusCodes)}` },
          { label: 'replay rate configured (bench catalogue replay.perSecond) / measured', value: `${view.perSecond} / ${(storedManual / (drainedMs / 1000)).toFixed(1)} tx/s` },
          { label: 'time from auto to backlog drained', value: `${(drainedMs / 1000).toFixed(1)} s for ${storedManual} transactions` },
          { label: 'time from auto to the first replayed (mode cache, health check, lease)', value: `${((firstReplayMs ?? 0) / 1000).toFixed(1)} s` },
          { label: 'replay throughput once started', value: `${(storedManual / Math.max(replayWindowSec, 1e-3)).toFixed(1)} tx/s` },
          { label: 'GET /v1/agencies/nrb replay after', value: JSON.stringify(view) },
        ],
        checks: [
          {
            label: 'every submission stored (202 manual), none reached the agency while manual',
            ok: storedManual === n && (store.statusCodes['202'] ?? 0) === n && callsWhileManual === 0,
            detail: `${storedManual} stored of ${n}, ${JSON.stringify(store.statusCodes)}, ${callsWhileManual} agency calls while manual`,
          },
          {
            label: 'after auto: every stored transaction completed, each reaching the agency once',
            ok: (finalStates.completed ?? 0) === storedManual && agency.accepted === storedManual && agency.duplicates === 0,
            detail: `states ${JSON.stringify(finalStates)}; agency: ${agency.calls} calls, ${agency.accepted} applications, ${agency.duplicates} repeated keys`,
          },
        ],
        notes: [`N = ${n}; the demo agency file's rate is 20/s (replay.perSecond); the bench raises it to measure Kiungo's own pace.`],
      };
    } finally {
      if (!switchedBack) await setMode(stack, operator, 'auto').catch((error: Error) => ctx.log(`replay: could not switch ${AGENCY} back to auto: ${error.message}`));
    }
  },
};

/** N: 10,000 (issue 4's figure), 500 with --quick; BENCH_REPLAY_N overrides (the drain is serial: N × one round trip). */
function replayCount(quick: boolean): number {
  const override = process.env.BENCH_REPLAY_N;
  const n = override ? Number(override) : quick ? 500 : 10_000;
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_REPLAY_N must be a positive integer, got ${override}`);
  return n;
}

async function setMode(stack: GatewayStack, token: string, mode: 'manual' | 'auto'): Promise<void> {
  const { status, body } = await requestJson(`${stack.api.url}/v1/agencies/${AGENCY}/mode`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}` },
    body: { mode, reason: `bench replay scenario: ${mode}` },
  });
  if (status !== 200) throw new Error(`PUT /v1/agencies/${AGENCY}/mode ${mode} answered ${status}: ${JSON.stringify(body)}`);
}

async function agencyReplay(stack: GatewayStack, token: string): Promise<ReplayView> {
  const { status, body } = await requestJson<{ replay: ReplayView }>(`${stack.api.url}/v1/agencies/${AGENCY}`, { headers: { authorization: `Bearer ${token}` } });
  if (status !== 200) throw new Error(`GET /v1/agencies/${AGENCY} answered ${status}: ${JSON.stringify(body)}`);
  return body.replay;
}

function databaseNow(stack: GatewayStack): Promise<Date> {
  return withClient(stack.deployment.databaseUrl, async (client) => (await client.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0].now);
}

async function countByState(stack: GatewayStack, since: Date): Promise<Record<string, number>> {
  return withClient(stack.deployment.databaseUrl, async (client) => {
    const { rows } = await client.query<{ state: string; n: string }>(
      'SELECT state, count(*) AS n FROM transactions WHERE agency_code = $1 AND created_at >= $2 GROUP BY state',
      [AGENCY, since],
    );
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
  });
}

/** Milliseconds from the switch to auto until each completed transaction's last update. */
async function completionTimes(stack: GatewayStack, since: Date, autoAt: Date): Promise<number[]> {
  return withClient(stack.deployment.databaseUrl, async (client) => {
    const { rows } = await client.query<{ ms: number }>(
      `SELECT extract(epoch FROM updated_at - $3::timestamptz) * 1000 AS ms FROM transactions
        WHERE agency_code = $1 AND created_at >= $2 AND state = 'completed'`,
      [AGENCY, since, autoAt],
    );
    return rows.map((row) => Number(row.ms));
  });
}
