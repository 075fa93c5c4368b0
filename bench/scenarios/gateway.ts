/**
 * `gateway`: autocannon → one production-mode api process (worker beside it), POST
 * /v1/transactions with a fresh Idempotency-Key per request, the agency healthy. Afterwards the
 * database must show every 200 as a `completed` transaction; the api's peak RSS is sampled.
 */
import { AnsweredTransactions } from '../lib/answered';
import { watchCpu } from '../lib/cpu';
import { watchStatements } from '../lib/probe/client';
import { recordRequests, requestCost, untilQuiet } from '../lib/recorded-requests';
import { sampleRss } from '../lib/rss';
import type { Scenario } from '../lib/scenario';
import { describeAgency, gatewayStack, stackProcesses, submitTransactionLoad } from '../lib/stack';

export const gateway: Scenario = {
  name: 'gateway',
  summary: 'autocannon → gateway api (production mode, built code) POST /v1/transactions, agency healthy',
  baseline: 'direct',
  async run(ctx) {
    const stack = await gatewayStack(ctx);
    await stack.simulator.reset();
    const request = submitTransactionLoad(stack.api, stack.channelToken);
    const rss = sampleRss(stack.api.pid);
    await ctx.warmUp(request);
    await untilQuiet(stack.api.probe);

    const since = new Date();
    const answered = new AnsweredTransactions();
    const statements = await watchStatements({ api: stack.api.probe, worker: stack.worker.probe });
    const cpu = watchCpu(stackProcesses(stack));
    const load = await ctx.load({ ...request, onResponse: answered.record });
    const cpuReport = cpu.stop(load.requests);
    const window = await statements.stop(load.requests);
    const memory = rss.stop();
    const databaseUrl = stack.deployment.databaseUrl;
    const recorded = await recordRequests({ probe: stack.api.probe, request, databaseUrl, count: 3, expectStatus: 200 });

    return {
      target: `gateway api (pid ${stack.api.pid}) POST /v1/transactions`,
      load,
      figures: [
        { label: 'api peak RSS (VmRSS every 250 ms, warm-up + run)', value: `${memory.peakRssMiB} MiB` },
        { label: 'api VmHWM (peak since process start)', value: `${memory.hwmMiB} MiB` },
        await AnsweredTransactions.createdSince(databaseUrl, since),
        { label: 'agency, warm-up included', value: describeAgency(await stack.simulator.counts()) },
      ],
      checks: [await answered.everyOkCompleted(databaseUrl), await AnsweredTransactions.shedByOwnGuards(databaseUrl, since)],
      cpu: cpuReport,
      requestCost: requestCost(recorded, window),
      notes: ['"rows created in window" includes requests cut off when autocannon stopped: those may still be received/dispatched.'],
    };
  },
};
