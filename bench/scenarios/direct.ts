/**
 * `direct`: the agency alone. autocannon → the REST simulator, POST /api/v1/id-replacements with a
 * fresh Idempotency-Key per request. The ceiling any gateway in front of it is compared with.
 */
import { watchCpu } from '../lib/cpu';
import type { Scenario } from '../lib/scenario';
import { directAgencyLoad, NRB_SERVICE_PATH, nrbSimulator } from '../lib/stack';

export const direct: Scenario = {
  name: 'direct',
  summary: `autocannon → REST simulator POST ${NRB_SERVICE_PATH} (no gateway): the baseline`,
  async run(ctx) {
    const simulator = await nrbSimulator(ctx);
    await simulator.reset();
    const request = directAgencyLoad(simulator);
    await ctx.warmUp(request);
    await simulator.reset();

    const cpu = watchCpu({ simulator: simulator.pid });
    const load = await ctx.load(request);
    const cpuReport = cpu.stop(load.requests);
    const agency = await simulator.counts();
    return {
      target: `simulator (pid ${simulator.pid}) POST ${NRB_SERVICE_PATH}`,
      load,
      figures: [{ label: 'agency applications created', value: agency.accepted }],
      cpu: cpuReport,
      checks: [
        {
          label: 'every response 201, every key new',
          ok: load.non2xx === 0 && load.errors === 0 && agency.duplicates === 0,
          detail: `${JSON.stringify(load.statusCodes)}, ${load.errors} errors, ${agency.duplicates} duplicate keys`,
        },
      ],
    };
  },
};
