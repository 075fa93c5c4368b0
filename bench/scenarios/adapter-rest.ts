/**
 * `adapter-rest`: what the REST adapter adds over the agency alone. The NRB REST simulator (own
 * process, shared with `direct`) gets the same ID-card replacement (a) from a bare axios client
 * with a keep-alive agent, (b) through ResilientAgency.dispatch → RestAdapter. No gateway, no
 * database; same method as `adapter-soap` (bench/lib/adapter-compare.ts).
 */
import http from 'node:http';
import axios from 'axios';
import { loadCatalogue } from '../../contracts/src/catalogue.loader';
import { ResilientAgency } from '../../adapters/resilience/resilient-agency';
import { createRestAdapter } from '../../adapters/rest/rest.adapter';
import { nrbEnvelope } from '../../test/e2e/transactions.helpers';
import { compareBareWithAdapter, unthrottled } from '../lib/adapter-compare';
import { DEMO_CATALOGUE_DIR } from '../lib/catalogue';
import type { Scenario } from '../lib/scenario';
import { NRB_SERVICE_PATH, nrbSimulator } from '../lib/stack';

const CONCURRENCY = 8;

export const adapterRest: Scenario = {
  name: 'adapter-rest',
  summary: `REST simulator (own process): bare axios vs ResilientAgency + RestAdapter, in-process, ${CONCURRENCY} concurrent`,
  async run(ctx) {
    const nrb = loadCatalogue(DEMO_CATALOGUE_DIR).agency('nrb');
    if (!nrb) throw new Error('the demo catalogue has no nrb agency');
    const simulator = await nrbSimulator(ctx);
    const payload = nrbEnvelope().payload as Record<string, unknown>;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const client = axios.create({ baseURL: simulator.url, httpAgent: agent, validateStatus: () => true });
    const agency = new ResilientAgency(unthrottled(nrb, CONCURRENCY), createRestAdapter(nrb, { env: {}, endpointOverride: simulator.url }));
    try {
      await simulator.reset();
      const comparison = await compareBareWithAdapter(ctx, {
        scenario: 'adapter-rest',
        concurrency: CONCURRENCY,
        bareLabel: 'bare axios client',
        bare: async (n, round) => {
          const response = await client.post(NRB_SERVICE_PATH, payload, { headers: { 'idempotency-key': `bench-bare-${round}-${n}` } });
          return response.status === 201 && typeof (response.data as { reference?: unknown }).reference === 'string';
        },
        between: () => simulator.reset(),
        processes: { simulator: simulator.pid },
        viaAdapter: async (n, round) => {
          const outcome = await agency.dispatch({ transactionId: `bench-adapter-${round}-${n}`, serviceCode: 'id-card-replacement', payload, attempt: 1 }, { inline: false });
          return outcome.kind === 'accepted';
        },
      });
      const stats = await simulator.counts();
      const { bare, adapter } = comparison;
      return {
        target: `ResilientAgency.dispatch → RestAdapter → REST simulator (pid ${simulator.pid}) POST ${NRB_SERVICE_PATH}`,
        load: adapter,
        figures: comparison.figures,
        cpu: comparison.cpu,
        checks: [
          { label: 'every bare call answered 201 with a reference', ok: bare.non2xx === 0 && bare.errors === 0, detail: JSON.stringify(bare.statusCodes) },
          {
            label: 'every dispatch accepted, the agency creating one application per transaction',
            ok: adapter.non2xx === 0 && adapter.errors === 0 && stats.duplicates === 0,
            detail: `${JSON.stringify(adapter.statusCodes)}; agency: ${stats.calls} calls, ${stats.accepted} applications, ${stats.duplicates} duplicates (warm-up included)`,
          },
        ],
        notes: ['In-process closed loop (no autocannon): the bench process is the client; the simulator has its own process.'],
      };
    } finally {
      await agency.close();
      agent.destroy();
    }
  },
};
