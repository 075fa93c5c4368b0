/**
 * `kpis`: queue KPIs over a quarter of history (bench/lib/kpi-seed.ts: 52 centres × 92 days,
 * 846 tickets per centre and day — 44,000 citizens a day nationally —, 5 with --quick), seeded
 * once and reused, through an api of their own:
 * - GET /v1/kpis?from&to over all 92 days (every centre, per day, with totals), one at a time
 *   after a first (cold) call: the table row;
 * - GET /v1/centres/{code}/kpis?date= for one centre's day (its counters, hours, officers), four
 *   managers at once, closed loop.
 * The first shows how the KPI query grows with the history; the second what a manager's page costs.
 */
import { ensureBuilt } from '../lib/build';
import { writeBenchCatalogue } from '../lib/catalogue';
import { watchCpu } from '../lib/cpu';
import { flushRedisDb } from '../lib/database';
import { createGatewayDeployment } from '../lib/gateway';
import { requestJson } from '../lib/http';
import { runInProcessLoad } from '../lib/in-process-load';
import { createKpiDatabase, KPI_CENTRES, KPI_DAYS, readKpiSeed, seedKpis } from '../lib/kpi-seed';
import { describeLatencies, loadFromSamples, summarizeLatencies } from '../lib/latency';
import type { Scenario } from '../lib/scenario';

const FULL_TICKETS = 846;
const QUICK_TICKETS = 5;
/** A range call over a full quarter may take minutes on a busy 2-core box. */
const RANGE_TIMEOUT_MS = 600_000;
const MANAGERS = 4;

interface RangeKpis {
  centres: Array<{ centre: string; days: unknown[] }>;
  total: { ticketsIssued: number };
}

export const kpis: Scenario = {
  name: 'kpis',
  summary: `queue KPIs of ${KPI_CENTRES} centres over ${KPI_DAYS} days (seeded once, reused): GET /v1/kpis for the whole range; one centre's day, ${MANAGERS} at once`,
  async run(ctx) {
    const { settings } = ctx;
    if (settings.build) ensureBuilt(ctx.log);
    const tickets = settings.quick ? QUICK_TICKETS : FULL_TICKETS;
    const databaseName = settings.quick ? 'kiungo_bench_kpis_quick' : 'kiungo_bench_kpis';
    const existing = await readKpiSeed(settings.adminDatabaseUrl, databaseName, tickets);
    if (!existing) await createKpiDatabase(settings.adminDatabaseUrl, databaseName);
    const catalogue = writeBenchCatalogue();
    const deployment = await createGatewayDeployment({
      adminDatabaseUrl: settings.adminDatabaseUrl,
      databaseName,
      redisUrl: settings.storedRedisUrl,
      env: { ...catalogue.env },
      keepDatabase: true,
    });
    const api = await deployment.start('api');
    try {
      const seed =
        existing ??
        (await seedKpis({ databaseUrl: deployment.databaseUrl, apiUrl: api.url, adminToken: await deployment.token('admin', 'bench-admin'), ticketsPerCentreDay: tickets, log: ctx.log }));
      const headers = { authorization: `Bearer ${await deployment.token('manager', 'bench-manager')}` };
      const rangePath = `/v1/kpis?from=${seed.from}&to=${seed.to}`;
      const range = async (): Promise<{ ms: number; body: RangeKpis; status: number }> => {
        const started = performance.now();
        const { status, body } = await requestJson<RangeKpis>(`${api.url}${rangePath}`, { headers, timeoutMs: RANGE_TIMEOUT_MS });
        return { ms: performance.now() - started, body, status };
      };
      // The first call reads the history from disk (cold); the others are the row's figures.
      const cold = await range();
      const calls = settings.quick ? 1 : 2;
      const cpu = watchCpu({ api: api.pid });
      const rangeStarted = performance.now();
      const results = [];
      for (let i = 0; i < calls; i++) results.push(await range());
      const rangeSec = (performance.now() - rangeStarted) / 1000;
      const cpuReport = cpu.stop(calls);
      const last = results[results.length - 1];
      const okCalls = results.filter((r) => r.status === 200).length;

      const middle = new Date((Date.parse(seed.from) + Date.parse(seed.to)) / 2).toISOString().slice(0, 10);
      let dayFailures = 0;
      let centre = 0;
      const day = async (): Promise<boolean> => {
        const code = seed.centres[centre++ % seed.centres.length];
        const { status } = await requestJson(`${api.url}/v1/centres/${code}/kpis?date=${middle}`, { headers });
        if (status !== 200) dayFailures++;
        return status === 200;
      };
      await runInProcessLoad({ concurrency: MANAGERS, durationSec: settings.warmupSec, call: day });
      const dayLoad = await runInProcessLoad({ concurrency: MANAGERS, durationSec: settings.shortDurationSec, call: day });
      const expectedTickets = KPI_CENTRES * KPI_DAYS * seed.ticketsPerCentreDay;
      return {
        target: `gateway api (pid ${api.pid}) GET ${rangePath} on ${databaseName}: ${seed.events.toLocaleString('en')} queue events`,
        load: loadFromSamples({ samples: results.map((r) => r.ms), elapsedSec: rangeSec, concurrency: 1, ok: okCalls, failed: calls - okCalls }),
        cpu: cpuReport,
        metrics: { rangeP50Ms: summarizeLatencies(results.map((r) => r.ms)).p50, dayP99Ms: dayLoad.p99 },
        figures: [
          { label: `${KPI_CENTRES} centres × ${KPI_DAYS} days (GET /v1/kpis), first call (cold)`, value: `${cold.ms.toFixed(0)} ms` },
          { label: `${KPI_CENTRES} centres × ${KPI_DAYS} days (GET /v1/kpis), then one at a time`, value: describeLatencies(summarizeLatencies(results.map((r) => r.ms))) },
          { label: `one centre's day (GET /v1/centres/{code}/kpis?date=${middle}), ${MANAGERS} at once: req/s, p50 / p99 ms`, value: `${dayLoad.rps}, ${dayLoad.p50} / ${dayLoad.p99}` },
          {
            label: 'seeding',
            value: seed.seededInSec !== undefined ? `${seed.seededInSec.toFixed(0)} s (this run)` : `reused (${seed.from} … ${seed.to}, ${seed.ticketsPerCentreDay} tickets per centre and day)`,
          },
        ],
        checks: [
          {
            label: `the range answers every centre and every seeded ticket`,
            ok: okCalls === calls && last.body.centres?.length === KPI_CENTRES && last.body.total?.ticketsIssued === expectedTickets,
            detail: `${okCalls}/${calls} × 200; ${last.body.centres?.length} centres, ${last.body.total?.ticketsIssued} tickets issued of ${expectedTickets} seeded`,
          },
          { label: "every centre's day answered 200", ok: dayFailures === 0 && dayLoad.errors === 0, detail: `${JSON.stringify(dayLoad.statusCodes)}` },
        ],
        notes: [
          `Seeded once into ${databaseName} (queue_events only: the KPIs' source; no ticket rows or audit twins). The api's CPU line covers the range calls.`,
        ],
      };
    } finally {
      await api.stop();
      deployment.dispose();
      catalogue.remove();
      await flushRedisDb(settings.storedRedisUrl).catch(() => undefined);
    }
  },
};
