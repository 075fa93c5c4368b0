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
import { runInProcessLoad } from '../lib/in-process-load';
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
    const agency = new ResilientAgency(
      { ...kra, resilience: { ...kra.resilience, concurrency: CONCURRENCY, rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } } },
      new SoapAdapter(kra, { env: {}, endpointOverride: endpoint }),
    );
    try {
      await waitUntil(() => isOk(`${endpoint}?wsdl`), `the KRA SOAP simulator at ${endpoint}`, { timeoutMs: 30_000, process: simulator });
      const payload = JSON.parse(readFileSync(path.join(kra.folder, 'fixtures', 'kra-pin-registration.request', 'ok', 'trader-with-vat.json'), 'utf8')) as Record<string, unknown>;
      const client = await createClientAsync(wsdl, { request: axios.create({ httpAgent: agent }), disableCache: true }, endpoint);
      const bare = (client as unknown as Record<string, (args: Record<string, unknown>) => Promise<[Record<string, unknown>]>>).RegisterIndividualPinAsync.bind(client);
      const bareArgs = (n: number): Record<string, unknown> => ({
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
      const direct = async (n: number): Promise<boolean> => typeof (await bare(bareArgs(n)))[0]?.Reference === 'string';
      let round = 0;
      const viaAdapter = async (n: number): Promise<boolean> => {
        const outcome = await agency.dispatch({ transactionId: `bench-adapter-${round}-${n}`, serviceCode: 'kra-pin-registration', payload, attempt: 1 }, { inline: false });
        return outcome.kind === 'accepted';
      };
      const measure = async (call: (n: number) => Promise<boolean>, label: string) => {
        await runInProcessLoad({ concurrency: CONCURRENCY, durationSec: ctx.settings.warmupSec, call });
        round++;
        ctx.log(`adapter-soap: measuring ${label}`);
        return runInProcessLoad({ concurrency: CONCURRENCY, durationSec: ctx.settings.shortDurationSec, call });
      };
      const bareLoad = await measure(direct, 'the bare node-soap client');
      await requestJson(`${base}/_reset`, { method: 'POST' });
      const adapterLoad = await measure(viaAdapter, 'ResilientAgency + SoapAdapter');
      const { body: stats } = await requestJson<{ calls: number; accepted: number; duplicates: number }>(`${base}/_stats`);
      return {
        target: `ResilientAgency.dispatch → SoapAdapter → SOAP simulator (pid ${simulator.pid}) RegisterIndividualPin`,
        load: adapterLoad,
        figures: [
          { label: 'bare node-soap client: req/s', value: bareLoad.rps },
          { label: 'bare node-soap client: p50 / p99 ms', value: `${bareLoad.p50} / ${bareLoad.p99}` },
          { label: 'through the adapter: req/s', value: adapterLoad.rps },
          { label: 'through the adapter: p50 / p99 ms', value: `${adapterLoad.p50} / ${adapterLoad.p99}` },
          { label: 'adapter added latency p50 / p99 ms', value: `${round2(adapterLoad.p50 - bareLoad.p50)} / ${round2(adapterLoad.p99 - bareLoad.p99)}` },
        ],
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

function round2(ms: number): number {
  return Math.round(ms * 100) / 100;
}
