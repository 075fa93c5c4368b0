/**
 * `observability`: what metrics (and tracing, off) cost on the submit path (issue 12, "What must
 * hold": under 5 % of the api's CPU per request). Two api processes started together beside the
 * shared gateway stack (one database, one agency, one worker): one as deployed (metrics on, tracing
 * off: no OTLP endpoint), one started with KIUNGO_METRICS_PORT=off (no instruments, no request
 * hook, no repository decorator, no process metrics). They are loaded in turn, alternating which
 * goes first, so the box's moving load falls on both; the figure is the api's CPU milliseconds per
 * POST /v1/transactions (from /proc, the api process only), the median of the rounds for each.
 * Tracing off leaves one no-op `propagation.inject` per agency call in both, so it is measured as
 * part of both: with no endpoint there is nothing else of it to switch off.
 *
 * On a shared box the two medians move by more than the difference sought, so the scenario also
 * times what metrics add to one submit directly, in this process: the instruments a submit feeds
 * (the request histogram, two transaction-state counters, the agency-call histogram), called the
 * way the api calls them, CPU from process.cpuUsage over many iterations.
 */
import { KiungoMetrics } from '../../gateway/src/metrics/kiungo-metrics';
import { watchCpu } from '../lib/cpu';
import { median } from '../lib/latency';
import { combineLoads, round } from '../lib/load';
import { createGatewayDeployment, type GatewayProcess } from '../lib/gateway';
import type { Figure, Scenario } from '../lib/scenario';
import { gatewayStack, submitTransactionLoad } from '../lib/stack';

const OWN_DATABASE = 'kiungo_bench_observability';

/** The bench's Redis server, database 13 (15 and 14 are the shared stack's and `stored`'s). */
function ownRedisUrl(redisUrl: string): string {
  const url = new URL(redisUrl);
  url.pathname = '/13';
  return url.toString();
}

/** CPU microseconds the instruments of one submit take (see the header), averaged over `iterations`. */
function instrumentMicrosPerSubmit(iterations = 200_000): number {
  const metrics = new KiungoMetrics('api');
  const transaction = { serviceCode: 'id-card-replacement', agencyCode: 'nrb', channel: 'portal' as const };
  const call = { agencyCode: 'nrb', operation: 'submit' as const, outcome: 'accepted', inline: true, ms: 12.5, transactionId: 'tx', correlationId: 'c' };
  const submit = () => {
    metrics.transactionEntered({ ...transaction, state: 'received' });
    metrics.observeAgencyCall(call);
    metrics.transactionEntered({ ...transaction, state: 'completed' });
    metrics.observeRequest('POST', '/v1/transactions', 200, 0.0123);
  };
  for (let i = 0; i < 10_000; i += 1) submit(); // JIT
  const before = process.cpuUsage();
  for (let i = 0; i < iterations; i += 1) submit();
  const used = process.cpuUsage(before);
  metrics.close();
  return (used.user + used.system) / iterations;
}

export const observability: Scenario = {
  name: 'observability',
  summary: 'api CPU per POST /v1/transactions with metrics on and tracing off, beside an api with KIUNGO_METRICS_PORT=off, alternating',
  async run(ctx) {
    const stack = await gatewayStack(ctx);
    // A database and a Redis database of its own: another bench run on the box recreates the
    // shared stack's under it. Two fresh apis started together, neither the older or busier one.
    const deployment = await createGatewayDeployment({
      adminDatabaseUrl: ctx.settings.adminDatabaseUrl,
      databaseName: OWN_DATABASE,
      redisUrl: ownRedisUrl(ctx.settings.redisUrl),
      env: { NRB_BASE_URL: stack.simulator.url, ...stack.catalogue.env },
    });
    const [instrumented, bare] = await Promise.all([deployment.start('api'), deployment.start('api', { env: { KIUNGO_METRICS_PORT: 'off' } })]);
    const channelToken = await deployment.token('channel', 'bench');
    try {
      const sides: Array<{ label: string; api: GatewayProcess }> = [
        { label: 'metrics on, tracing off', api: instrumented },
        { label: 'metrics off', api: bare },
      ];
      const rounds = ctx.settings.quick ? 2 : 4;
      const durationSec = Math.max(3, Math.round(ctx.settings.durationSec / 2));
      const msPerRequest = new Map<string, number[]>(sides.map((side) => [side.label, []]));
      const loads = [];
      // Round 0 is not counted: the first loads after start-up (PostgreSQL's caches, the JIT of both) cost more whichever side goes first.
      for (let r = 0; r <= rounds; r += 1) {
        for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
          const request = { ...submitTransactionLoad(side.api, channelToken), durationSec };
          await ctx.warmUp(request);
          const cpu = watchCpu({ api: side.api.pid });
          const load = await ctx.load(request);
          const ms = cpu.stop(load.requests).msPerRequest.api ?? NaN;
          if (r > 0) {
            msPerRequest.get(side.label)!.push(ms);
            loads.push(load);
          }
        }
      }
      const on = median(msPerRequest.get(sides[0].label)!);
      const off = median(msPerRequest.get(sides[1].label)!);
      const overheadPct = round(((on - off) / off) * 100, 1);
      const figures: Figure[] = sides.map((side) => ({
        label: `api CPU ms per request, ${side.label} (median of ${rounds}; rounds: ${msPerRequest.get(side.label)!.map((ms) => ms.toFixed(2)).join(', ')})`,
        value: `${median(msPerRequest.get(side.label)!).toFixed(3)} ms`,
      }));
      figures.push({ label: 'metrics and tracing-off cost on the submit path, from the two medians (target under 5 %)', value: `${overheadPct} % of the api's CPU per request` });
      const micros = instrumentMicrosPerSubmit();
      const directPct = round(((micros / 1000) / off) * 100, 2);
      figures.push({
        label: 'the instruments of one submit timed directly (request histogram, 2 state counters, agency-call histogram)',
        value: `${micros.toFixed(1)} µs = ${directPct} % of the metrics-off api's CPU per request`,
      });
      return {
        target: `gateway api POST /v1/transactions: pid ${instrumented.pid} (metrics on) and pid ${bare.pid} (KIUNGO_METRICS_PORT=off), ${rounds} rounds of ${durationSec} s each`,
        load: combineLoads(loads),
        figures,
        metrics: { observabilityOverheadPct: overheadPct, observabilityDirectPct: directPct },
        notes: ['A difference within the spread of the rounds is noise: read the rounds before the percentage on a busy box.'],
      };
    } finally {
      await Promise.all([instrumented.stop(), bare.stop()]);
      deployment.dispose();
    }
  },
};
