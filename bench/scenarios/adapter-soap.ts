/**
 * `adapter-soap`: what the SOAP adapter adds over the agency alone. The SOAP simulator runs in its
 * own process with the demo KRA WSDL; in the bench process, the same PIN registration is sent
 * (a) by a bare node-soap client, (b) through ResilientAgency.dispatch → SoapAdapter (mapping,
 * breaker, bulkhead, rate limit, deadline, fault classification). No gateway, no database.
 * Same concurrency for both; the difference of the latencies is the adapter's overhead.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import axios from 'axios';
import { createClientAsync } from 'soap';
import { SoapAdapter } from '../../adapters/soap/soap.adapter';
import { ResilientAgency } from '../../adapters/resilience/resilient-agency';
import { defaultCatalogueDir, loadCatalogue } from '../../contracts/src';
import { freePort, isOk, requestJson } from '../lib/http';
import { compareBareWithAdapter, unthrottled } from '../lib/adapter-compare';
import { spawnManaged, waitUntil } from '../lib/processes';
import { REPO_ROOT } from '../lib/repo';
import type { Scenario } from '../lib/scenario';

const CONCURRENCY = 8;

export const adapterSoap: Scenario = {
  name: 'adapter-soap',
  summary: `SOAP simulator (own process): bare node-soap client vs ResilientAgency + SoapAdapter, in-process, ${CONCURRENCY} concurrent`,
  async run(ctx) {
    const kra = loadCatalogue(defaultCatalogueDir()).agency('kra');
    if (!kra) throw new Error('the demo catalogue has no kra agency');
    const wsdl = path.resolve(kra.folder, String(kra.adapter.wsdl));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const endpoint = `${base}/soap/kra`;
    const simulator = spawnManaged(
      'simulator KRA (SOAP)',
      process.execPath,
      [path.join(REPO_ROOT, 'scripts', 'run-ts.cjs'), 'test/simulators/soap-agency/main.ts', '--port', String(port), '--prefix', 'KRA', '--wsdl', wsdl, '--path', '/soap/kra'],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' } },
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const agency = new ResilientAgency(unthrottled(kra, CONCURRENCY), new SoapAdapter(kra, { env: {}, endpointOverride: endpoint }));
    try {
      await waitUntil(() => isOk(`${endpoint}?wsdl`), `the KRA SOAP simulator at ${endpoint}`, { timeoutMs: 30_000, process: simulator });
      const payload = JSON.parse(readFileSync(path.join(kra.folder, 'fixtures', 'kra-pin-registration.request', 'ok', 'trader-with-vat.json'), 'utf8')) as Record<string, unknown>;
      const client = await createClientAsync(wsdl, { request: axios.create({ httpAgent: agent }), disableCache: true }, endpoint);
      const bare = (client as unknown as Record<string, (args: Record<string, unknown>) => Promise<[Record<string, unknown>]>>).RegisterIndividualPinAsync.bind(client);
      const bareArgs = (n: string): Record<string, unknown> => ({
        TransactionId: `bench-bare-${n}`,
        NationalId: payload.idNumber,
        FirstName: payload.firstName,
        MiddleName: payload.middleName,
        LastName: payload.lastName,
        DateOfBirth: payload.dateOfBirth,
        EmailAddress: payload.email,
        MobileNumber: payload.phone,
        County: payload.county,
        TaxObligations: { Obligation: payload.taxObligations },
      });
      const comparison = await compareBareWithAdapter(ctx, {
        scenario: 'adapter-soap',
        concurrency: CONCURRENCY,
        bareLabel: 'bare node-soap client',
        bare: async (n, round) => typeof (await bare(bareArgs(`${round}-${n}`)))[0]?.Reference === 'string',
        between: async () => void (await requestJson(`${base}/_reset`, { method: 'POST' })),
        viaAdapter: async (n, round) => {
          const outcome = await agency.dispatch({ transactionId: `bench-adapter-${round}-${n}`, serviceCode: 'kra-pin-registration', payload, attempt: 1 }, { inline: false });
          return outcome.kind === 'accepted';
        },
        processes: { simulator: simulator.pid },
      });
      const { bare: bareLoad, adapter: adapterLoad } = comparison;
      const { body: stats } = await requestJson<{ calls: number; accepted: number; duplicates: number }>(`${base}/_stats`);
      return {
        target: `ResilientAgency.dispatch → SoapAdapter → SOAP simulator (pid ${simulator.pid}) RegisterIndividualPin`,
        load: adapterLoad,
        figures: comparison.figures,
        cpu: comparison.cpu,
        checks: [
          { label: 'every bare call answered with a reference', ok: bareLoad.non2xx === 0 && bareLoad.errors === 0, detail: JSON.stringify(bareLoad.statusCodes) },
          {
            label: 'every dispatch accepted, the agency creating one application per transaction',
            ok: adapterLoad.non2xx === 0 && adapterLoad.errors === 0 && stats.duplicates === 0,
            detail: `${JSON.stringify(adapterLoad.statusCodes)}; agency: ${stats.calls} calls, ${stats.accepted} applications, ${stats.duplicates} duplicates (warm-up included)`,
          },
        ],
        notes: ['In-process closed loop (no autocannon): the bench process is the client; the simulator has its own process.'],
      };
    } finally {
      await agency.close();
      agent.destroy();
      await simulator.stop();
    }
  },
};
