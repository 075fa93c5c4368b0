/**
 * Two builds of the gateway side by side: an api process from each, on the same database, agency
 * simulator and worker, loaded at the same moment with the same requests (POST /v1/transactions,
 * a fresh Idempotency-Key each), so that whatever else runs on the box weighs on both alike. Prints
 * each api's CPU ms per submit, submits/s and p99 per round, and the medians. On a shared box this is
 * the fair comparison of a change: runs of `npm run bench` one after the other see different
 * neighbours (bench/README.md, "Where the CPU went").
 *
 *   node scripts/run-ts.cjs bench/tools/ab-api.ts <distA> <distB> [--rounds 5] [--duration 10] [--connections 10] [--agency-down]
 *     [--a-node-options='<flags>'] [--b-node-options='<flags>']
 *
 * <distA>, <distB>: directories holding a build (`npm run build` output, e.g. a copy of dist/ made
 * before the change). Both apis run with the deployed api's NODE_OPTIONS (bench/lib/deployed-api.ts)
 * unless `--a-node-options=…` / `--b-node-options=…` give another value ('' for none; the `=` is
 * needed before a value that starts with a dash): the same directory twice compares heap settings
 * alone. Each round also prints each api's peak RSS (VmRSS every 250 ms over warm-up and run).
 * `--agency-down`: the agency refuses everything and both apis' breakers are opened first, so the
 * rounds measure the breaker-open path (202s). `--bookings`: POST /v1/bookings instead, the
 * `bookings` scenario's uncontended load (each api its own two centres; 201s). Each round prints the
 * statements each api sent per request (the probe's count: one round trip each). The worker runs
 * distA's code, or distB's with `--worker b` (when B adds a migration: the worker migrates).
 * Environment as the bench: BENCH_ADMIN_DATABASE_URL, and BENCH_AB_REDIS_URL (default
 * redis://127.0.0.1:6379/13, flushed).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeBenchCatalogue } from '../lib/catalogue';
import { watchCpu } from '../lib/cpu';
import { dropDatabase, flushRedisDb } from '../lib/database';
import { loadAverage } from '../lib/environment';
import { createGatewayDeployment, type GatewayProcess } from '../lib/gateway';
import { runLoad, type LoadResult } from '../lib/load';
import { sampleRss } from '../lib/rss';
import { sleep, stopAllProcesses } from '../lib/processes';
import { startSimulator } from '../lib/simulator';
import { watchStatements } from '../lib/probe/client';
import { uncontendedBookings } from '../scenarios/bookings';
import { nrbEnvelope } from '../../test/e2e/transactions.helpers';

const DATABASE = `kiungo_bench_ab_${process.pid}`;
/** Requests that open a breaker against a refusing agency (its volume threshold, with room). */
const TRIP_REQUESTS = 60;

interface Side {
  label: string;
  api: GatewayProcess;
  /** The next booking's body (--bookings). */
  booking?: () => Record<string, unknown>;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rounds: { type: 'string', default: '5' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      'agency-down': { type: 'boolean', default: false },
      bookings: { type: 'boolean', default: false },
      worker: { type: 'string', default: 'a' },
      'a-node-options': { type: 'string' },
      'b-node-options': { type: 'string' },
    },
  });
  if (positionals.length !== 2) throw new Error('usage: ab-api.ts <distA> <distB> [--rounds N] [--duration S] [--connections N] [--agency-down | --bookings] [--worker a|b]');
  const entries = positionals.map((dir) => path.resolve(dir, 'gateway', 'src', 'main.js'));
  const rounds = Number(values.rounds);
  const durationSec = Number(values.duration);
  const connections = Number(values.connections);
  const adminDatabaseUrl = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.BENCH_AB_REDIS_URL ?? 'redis://127.0.0.1:6379/13';

  const simulator = await startSimulator({ prefix: 'NRB' });
  const catalogue = writeBenchCatalogue();
  const deployment = await createGatewayDeployment({ adminDatabaseUrl, databaseName: DATABASE, redisUrl, env: { NRB_BASE_URL: simulator.url, ...catalogue.env } });
  try {
    // The worker first: it migrates the new database before the apis start.
    await deployment.start('worker', { entry: entries[values.worker === 'b' ? 1 : 0] });
    const sides: Side[] = [];
    const nodeOptions = [values['a-node-options'], values['b-node-options']].map((given) => given ?? deployment.apiNodeOptions);
    for (const [index, entry] of entries.entries()) {
      const label = `${'AB'[index]} ${positionals[index]} NODE_OPTIONS='${nodeOptions[index]}'`;
      sides.push({ label, api: await deployment.start('api', { entry, env: { NODE_OPTIONS: nodeOptions[index] } }) });
    }
    const token = await deployment.token('channel', 'bench');
    if (values.bookings) {
      const admin = await deployment.token('admin', 'bench-admin');
      for (const side of sides) side.booking = await uncontendedBookings(side.api, admin);
    }
    const load = (side: Side, seconds: number): Promise<LoadResult> =>
      side.booking
        ? runLoad({ url: side.api.url, path: '/v1/bookings', headers: { authorization: `Bearer ${token}` }, makeBody: side.booking, connections, durationSec: seconds })
        : runLoad({ url: side.api.url, path: '/v1/transactions', headers: { authorization: `Bearer ${token}` }, body: nrbEnvelope(), connections, durationSec: seconds });
    if (values['agency-down']) {
      await simulator.setMode('down');
      for (const side of sides) await runLoad({ url: side.api.url, path: '/v1/transactions', headers: { authorization: `Bearer ${token}` }, body: nrbEnvelope(), connections: 1, durationSec: 30, amount: TRIP_REQUESTS });
    }
    const expected = values['agency-down'] ? '202' : values.bookings ? '201' : '200';
    const unit = values.bookings ? 'booking' : 'submit';
    const figures: Array<Array<{ ms: number; rps: number; rssMiB: number }>> = sides.map(() => []);
    for (let round = 1; round <= rounds; round++) {
      const rss = sides.map((side) => sampleRss(side.api.pid));
      await Promise.all(sides.map((side) => load(side, 2)));
      await sleep(500);
      const statements = await watchStatements(Object.fromEntries(sides.map((side) => [side.label, side.api.probe])));
      const cpu = watchCpu(Object.fromEntries(sides.map((side) => [side.label, side.api.pid])));
      const results = await Promise.all(sides.map((side) => load(side, durationSec)));
      const report = cpu.stop();
      const sent = await statements.stop(1);
      const peaks = rss.map((sampler) => sampler.stop().peakRssMiB);
      const line = sides.map((side, index) => {
        const result = results[index];
        const ms = (report.coreSeconds[side.label] * 1000) / result.requests;
        figures[index].push({ ms, rps: result.rps, rssMiB: peaks[index] });
        const odd = Object.keys(result.statusCodes).filter((code) => code !== expected);
        const perRequest = (sent[side.label].statements / result.requests).toFixed(2);
        return `${side.label}: ${ms.toFixed(3)} ms/${unit}, ${result.rps.toFixed(0)}/s, p99 ${result.p99} ms, ${perRequest} statements/${unit}, peak RSS ${peaks[index]} MiB${odd.length > 0 ? ` (statuses ${JSON.stringify(result.statusCodes)})` : ''}`;
      });
      console.log(`round ${round} (box busy ${((100 * report.boxBusy) / report.boxAvailable).toFixed(0)} %, load average ${loadAverage()}): ${line.join(' | ')}`);
    }
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const [a, b] = figures.map((rows) => ({ ms: median(rows.map((r) => r.ms)), rps: median(rows.map((r) => r.rps)), rssMiB: Math.max(...rows.map((r) => r.rssMiB)) }));
    const summary = (side: Side, f: typeof a): string => `${side.label} ${f.ms.toFixed(3)} ms/${unit} ${f.rps.toFixed(0)}/s (highest peak RSS ${f.rssMiB} MiB)`;
    console.log(`median: ${summary(sides[0], a)} | ${summary(sides[1], b)} | B ÷ A CPU ${(b.ms / a.ms).toFixed(2)}`);
  } finally {
    await stopAllProcesses(10_000);
    deployment.dispose();
    catalogue.remove();
    await flushRedisDb(redisUrl);
    await dropDatabase(adminDatabaseUrl, DATABASE);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  void stopAllProcesses(1000).finally(() => process.exit(1));
});
