/**
 * `gateway-x2`: two api processes (same database, same worker), half the connections on each,
 * two autocannon instances at once. On a 2-core box this shows what a second replica costs or
 * buys when nothing else gets more CPU; the figure that matters is the sum.
 */
import { AnsweredTransactions } from '../lib/answered';
import { watchCpu } from '../lib/cpu';
import { combineLoads } from '../lib/load';
import type { Scenario } from '../lib/scenario';
import { gatewayStack, submitTransactionLoad } from '../lib/stack';

export const gatewayX2: Scenario = {
  name: 'gateway-x2',
  summary: 'like gateway, but two api processes with half the connections each; rps summed',
  baseline: 'gateway',
  async run(ctx) {
    const stack = await gatewayStack(ctx);
    const second = await stack.deployment.start('api');
    try {
      await stack.simulator.reset();
      const half = Math.max(1, Math.floor(ctx.settings.connections / 2));
      const requests = [stack.api, second].map((api) => ({ ...submitTransactionLoad(api, stack.channelToken), connections: half }));
      await Promise.all(requests.map((request) => ctx.warmUp(request)));

      const since = new Date();
      const answered = new AnsweredTransactions();
      const cpu = watchCpu({ api: [stack.api.pid, second.pid], worker: stack.worker.pid, simulator: stack.simulator.pid });
      const loads = await Promise.all(requests.map((request) => ctx.load({ ...request, onResponse: answered.record })));
      const load = combineLoads(loads);
      const cpuReport = cpu.stop(load.requests);
      const databaseUrl = stack.deployment.databaseUrl;
      return {
        target: `2 gateway api (pids ${stack.api.pid}, ${second.pid}) POST /v1/transactions`,
        load,
        figures: [
          ...loads.map((one, i) => ({ label: `api #${i + 1}: rps, p50/p99 ms`, value: `${one.rps}, ${one.p50}/${one.p99}` })),
          await AnsweredTransactions.createdSince(databaseUrl, since),
        ],
        checks: [await answered.everyOkCompleted(databaseUrl), await AnsweredTransactions.shedByOwnGuards(databaseUrl, since)],
        cpu: cpuReport,
        notes: ['rps and counts are summed over both instances; latency columns are the worse of the two.'],
      };
    } finally {
      await second.stop();
    }
  },
};
