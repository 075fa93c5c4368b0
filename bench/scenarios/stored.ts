/**
 * `stored`: how the cost of a submit grows with what is already stored. For each size (0, 1 million
 * and 10 million transactions; 0 and 100,000 with --quick; `--stored` to choose), a database seeded
 * once and reused (bench/lib/stored-seed.ts; 0 is a fresh one), its own api + worker, the same agency
 * simulator and catalogue, and POST /v1/transactions at 10 connections, as `gateway-c10`. Every size
 * is measured the same way, from freshly started processes with the same warm-up: `gateway-c10`'s
 * api has already served the whole `gateway` run, and its JIT-warm figures (printed beside, as the
 * baseline) made the fresh processes of the seeded sizes look a third dearer in api CPU than the data
 * made them (0.73 ms warm against 0.97 ms fresh, both on near-empty databases, 2026-12-06 22:22). Index depth, table size and the duplicate-reference look-up show here; the table row is
 * the largest size.
 */
import { ensureBuilt } from '../lib/build';
import { writeBenchCatalogue } from '../lib/catalogue';
import { flushRedisDb } from '../lib/database';
import { createGatewayDeployment } from '../lib/gateway';
import type { Check, Figure, Scenario } from '../lib/scenario';
import { startSimulator } from '../lib/simulator';
import { submitTransactionLoad } from '../lib/stack';
import { appendedChainCheck, describeSizes, ensureStoredDatabase, type StoredSeed } from '../lib/stored-seed';
import { measureSubmits, type SubmitMeasurement } from '../lib/submit-measure';

const CONNECTIONS = 10;

export const stored: Scenario = {
  name: 'stored',
  summary: `POST /v1/transactions at ${CONNECTIONS} connections with 0, 1M and 10M transactions already stored (0 and 100k with --quick), seeded once and reused, each from fresh processes`,
  baseline: 'gateway-c10',
  async run(ctx) {
    const { settings } = ctx;
    if (settings.build) ensureBuilt(ctx.log);
    // A simulator of its own whose references no earlier run used: the stored databases are kept and
    // reused, and a reference already stored for another transaction makes a submit a 202 conflict
    // (the shared simulator numbers NRB-000001… again after every reset).
    const simulator = await startSimulator({ prefix: `NRB${Date.now().toString(36).toUpperCase()}` });
    const catalogue = writeBenchCatalogue();
    const runs: Array<{ size: number; seed: StoredSeed; measured: SubmitMeasurement; sizes: string }> = [];
    try {
      for (const size of settings.storedSizes) {
        const databaseName = `kiungo_bench_stored_${size}`;
        const seed = await ensureStoredDatabase(settings.adminDatabaseUrl, databaseName, size, ctx.log);
        const deployment = await createGatewayDeployment({
          adminDatabaseUrl: settings.adminDatabaseUrl,
          databaseName,
          redisUrl: settings.storedRedisUrl,
          env: { NRB_BASE_URL: simulator.url, ...catalogue.env },
          keepDatabase: true,
        });
        const [api, worker] = await Promise.all([deployment.start('api'), deployment.start('worker')]);
        try {
          ctx.log(`stored: ${seed.stored.toLocaleString('en')} transactions stored, api pid ${api.pid}`);
          await simulator.reset();
          const measured = await measureSubmits(ctx, {
            request: submitTransactionLoad(api, await deployment.token('channel', 'bench')),
            server: api,
            processes: { api: api.pid, worker: worker.pid, simulator: simulator.pid },
            probes: { api: api.probe, worker: worker.probe },
            databaseUrl: deployment.databaseUrl,
            connections: CONNECTIONS,
          });
          // The worker may still append (it seals, sweeps): stop it first, then check the chain.
          await worker.stop();
          measured.checks.push(await appendedChainCheck(deployment.databaseUrl, seed.seeded));
          runs.push({ size, seed, measured, sizes: await describeSizes(deployment.databaseUrl) });
        } finally {
          await Promise.all([api.stop(), worker.stop()]);
          deployment.dispose();
        }
      }
    } finally {
      await simulator.stop();
      catalogue.remove();
      await flushRedisDb(settings.storedRedisUrl).catch((error: Error) => ctx.log(`stored: could not flush ${settings.storedRedisUrl}: ${error.message}`));
    }
    const main = runs[runs.length - 1];
    const figures: Figure[] = [];
    const checks: Check[] = [];
    const empty = ctx.results.get('gateway-c10');
    if (empty) {
      const { load, cpu } = empty;
      figures.push({
        label: 'gateway-c10 (this run: an api warm from the gateway run, on the bench database of a few thousand rows)',
        value: `${load.rps} submits/s, p50 ${load.p50} / p99 ${load.p99} ms; CPU ms per submit api ${cpu?.msPerRequest.api?.toFixed(2)}, PostgreSQL ${cpu?.msPerRequest.PostgreSQL?.toFixed(2)}`,
      });
    }
    for (const { size, seed, measured, sizes } of runs) {
      const { load, cpu } = measured;
      const label = `${size.toLocaleString('en')} seeded (${seed.stored.toLocaleString('en')} stored at start)`;
      figures.push({
        label,
        value:
          `${load.rps} submits/s, p50 ${load.p50} / p99 ${load.p99} ms; CPU ms per submit api ${cpu.msPerRequest.api?.toFixed(2)}, PostgreSQL ${cpu.msPerRequest.PostgreSQL?.toFixed(2)}` +
          `; neighbours ${(cpu.neighbourShare * 100).toFixed(0)} %`,
      });
      figures.push({ label: `  sizes`, value: sizes || 'empty' });
      if (seed.seededInSec !== undefined) figures.push({ label: '  seeding (this run)', value: `${seed.seededInSec.toFixed(0)} s` });
      checks.push(...measured.checks.map((check) => ({ ...check, label: `${size.toLocaleString('en')}: ${check.label}` })));
    }
    return {
      target: `gateway api POST /v1/transactions, ${CONNECTIONS} connections, ${main.size.toLocaleString('en')} transactions seeded`,
      load: main.measured.load,
      cpu: main.measured.cpu,
      requestCost: main.measured.requestCost,
      metrics: Object.fromEntries(runs.flatMap(({ size, measured }) => [[`rps${size}`, measured.load.rps], [`p99At${size}`, measured.load.p99]])),
      figures,
      checks,
      notes: [
        `Databases kiungo_bench_stored_<size>, seeded once (generate_series, keys rebuilt after) and reused; each run adds its own rows.`,
        'Seeded audit events link correctly and each chain head continues from them, but their hashes are placeholders: a full verify reports the seeded part (bench/lib/stored-seed.ts).',
        `The gateway migrates a reused database at start: a new migration on a big table runs there once.`,
      ],
    };
  },
};
