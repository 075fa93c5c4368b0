/**
 * `gateway-open`: latency at a fixed arrival rate (bench/lib/open-loop.ts), at 50 % and 70 % of the
 * capacity `gateway` measured in the same run (its closed-loop requests/s at 50 connections).
 * Latency counts from each request's due time, so a stall shows in full instead of pausing the
 * load (coordinated omission). The table row is the 70 % run; the 50 % run is in the figures.
 */
import { AnsweredTransactions } from '../lib/answered';
import { watchCpu } from '../lib/cpu';
import { openLoopFigures, openLoopMetrics, runOpenLoop, type OpenLoopResult } from '../lib/open-loop';
import { untilQuiet } from '../lib/recorded-requests';
import type { Scenario } from '../lib/scenario';
import { watchTail, type RequestSample, type TailReport } from '../lib/tail';
import { gatewayStack, stackProcesses, submitTransactionLoad } from '../lib/stack';

const SHARES = [0.5, 0.7] as const;

export const gatewayOpen: Scenario = {
  name: 'gateway-open',
  summary: 'open loop: POST /v1/transactions at 50 % and 70 % of the gateway capacity measured in this run; latency from each due time',
  baseline: 'gateway',
  async run(ctx) {
    const capacity = ctx.results.get('gateway')?.load.rps;
    if (!capacity) throw new Error('gateway-open needs the capacity measured by the gateway scenario, which did not run');
    const stack = await gatewayStack(ctx);
    await stack.simulator.reset();
    const request = submitTransactionLoad(stack.api, stack.channelToken);
    const runs: Array<{ share: number; rate: number; result: OpenLoopResult; answered: AnsweredTransactions; tail: TailReport }> = [];
    let cpuReport;
    for (const share of SHARES) {
      const rate = Math.max(1, Math.round(capacity * share));
      await runOpenLoop({ ...request, rate, durationSec: ctx.settings.warmupSec });
      await untilQuiet(stack.api.probe);
      ctx.log(`gateway-open: ${rate} req/s (${share * 100} % of ${capacity})`);
      const answered = new AnsweredTransactions();
      const cpu = watchCpu(stackProcesses(stack));
      const samples: RequestSample[] = [];
      const tailWatch = await watchTail({ label: `gateway-open-${share * 100}`, api: stack.api.probe, databaseUrl: stack.deployment.databaseUrl, adminDatabaseUrl: ctx.settings.adminDatabaseUrl, processes: stackProcesses(stack) });
      try {
        const result = await runOpenLoop({ ...request, rate, durationSec: ctx.settings.durationSec, onResponse: answered.record, samples });
        cpuReport = cpu.stop(result.load.requests);
        runs.push({ share, rate, result, answered, tail: await tailWatch.stop(samples) });
      } finally {
        // A failed load must not leave the sampler querying PostgreSQL.
        await tailWatch.cancel();
      }
    }
    const main = runs[runs.length - 1];
    const databaseUrl = stack.deployment.databaseUrl;
    const checks = [];
    for (const run of runs) {
      const { load } = run.result;
      checks.push({
        label: `${run.share * 100} %: every request answered 200 (none failed or timed out)`,
        ok: load.non2xx === 0 && load.errors === 0 && load.requests === run.result.scheduled,
        detail: `${run.result.scheduled} due, ${JSON.stringify(load.statusCodes)}`,
      });
      checks.push({ ...(await run.answered.everyOkCompleted(databaseUrl)), label: `${run.share * 100} %: every 200 is a completed transaction in the database` });
    }
    return {
      target: `gateway api (pid ${stack.api.pid}) POST /v1/transactions, open loop at ${main.rate} req/s (${main.share * 100} % of ${capacity})`,
      load: main.result.load,
      cpu: cpuReport,
      metrics: { ...openLoopMetrics(runs), ...main.tail.metrics },
      figures: runs.flatMap((run) => [
        ...openLoopFigures(run, 'req/s', `${run.share * 100} % of capacity: ${run.rate} req/s due`),
        ...run.tail.figures.map((figure) => ({ ...figure, label: `${run.share * 100} % ${figure.label}` })),
      ]),
      checks,
      notes: [
        `Capacity = the gateway scenario's closed-loop ${capacity} req/s at ${ctx.settings.connections} connections, this run. Unlike that closed loop, whose p99 is mostly its own queue (Little's law), this p99 is what a request arriving at this rate waits.`,
        'The CPU figures are those of the last (highest-rate) run.',
      ],
    };
  },
};
