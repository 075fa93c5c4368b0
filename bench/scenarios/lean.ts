/**
 * `lean`: the floor for Node on this box. autocannon → a bare Fastify server (bench/lean/lean-server.ts)
 * doing a submit's real work with the project's own repositories (so the same SQL, minus what the
 * gateway adds on top) and the REST adapter's mapping over an undici pool, against the same
 * database, agency simulator, clients and duration as `gateway`, in the same run. gateway req/s ÷
 * lean req/s is how close the gateway comes to what Node itself allows; its CPU and statements per
 * request show where the difference goes. After its own window it alternates short windows on the
 * gateway's api and the lean server (bench/lib/interleaved.ts): the targets row takes the median of
 * those adjacent pairs, since the box's pace drifts between the two scenarios' windows.
 */
import { buildLeanServer } from '../lib/build';
import { freePort, isOk } from '../lib/http';
import { probeOf, PROBE_NODE_ARGS } from '../lib/probe/client';
import { spawnManaged, waitUntil } from '../lib/processes';
import { REPO_ROOT } from '../lib/repo';
import type { Scenario } from '../lib/scenario';
import { describeAgency, gatewayStack, PERF_MAP_NODE_ARGS, submitTransactionLoad } from '../lib/stack';
import { INTERLEAVED, INTERLEAVED_QUICK, interleavedFigures, interleavedMetrics, measureInterleaved } from '../lib/interleaved';
import { measureSubmits } from '../lib/submit-measure';

export const lean: Scenario = {
  name: 'lean',
  summary: 'autocannon → bare Fastify + the project repositories + undici to the agency, POST /v1/transactions: the floor for Node',
  baseline: 'gateway',
  async run(ctx) {
    const stack = await gatewayStack(ctx);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = spawnManaged(
      `lean server :${port}`,
      process.execPath,
      [...PROBE_NODE_ARGS, ...(ctx.settings.perfMap ? PERF_MAP_NODE_ARGS : []), buildLeanServer()],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...stack.deployment.env, PORT: String(port) }, ipc: true },
    );
    try {
      await waitUntil(() => isOk(`${url}/health/ready`), `the lean server at ${url}`, { timeoutMs: 60_000, everyMs: 200, process: server });
      const probe = probeOf(server);
      await stack.simulator.reset();
      const measured = await measureSubmits(ctx, {
        // The same request as the gateway's (the token is sent and ignored).
        request: { ...submitTransactionLoad(stack.api, stack.channelToken), url },
        server: { pid: server.pid, probe },
        processes: { api: server.pid, simulator: stack.simulator.pid },
        probes: { api: probe },
        databaseUrl: stack.deployment.databaseUrl,
        // Watched as the gateway's 50-connection window is: the watch costs the watched server ~1 % of
        // its CPU (the probe's pg, pool and http wrappers), which the floor must pay too for the ratio to be fair.
        tail: 'lean',
      });
      const gateway = ctx.results.get('gateway');
      // Counted before the interleaved windows, as before them.
      const agency = describeAgency(await stack.simulator.counts());
      const shape = ctx.settings.quick ? INTERLEAVED_QUICK : INTERLEAVED;
      const windowSec = Math.min(shape.windowSec, ctx.settings.durationSec);
      const interleaved = await measureInterleaved(ctx, {
        gateway: { request: submitTransactionLoad(stack.api, stack.channelToken), pid: stack.api.pid, probe: stack.api.probe },
        lean: { request: { ...submitTransactionLoad(stack.api, stack.channelToken), url }, pid: server.pid, probe },
        others: { worker: stack.worker.pid, simulator: stack.simulator.pid },
        databaseUrl: stack.deployment.databaseUrl,
        pairs: shape.pairs,
        windowSec,
      });
      return {
        target: `lean server (pid ${server.pid}) POST /v1/transactions: Fastify + repositories + undici, nothing else`,
        load: measured.load,
        cpu: measured.cpu,
        requestCost: measured.requestCost,
        metrics: { peakRssMiB: measured.memory.peakRssMiB, ...measured.tail?.metrics, ...interleavedMetrics(interleaved.summary) },
        figures: [
          ...(gateway
            ? [{ label: "gateway req/s ÷ lean req/s, sequential windows (each scenario's own, a minute or more apart)", value: (gateway.load.rps / measured.load.rps).toFixed(2) }]
            : []),
          ...interleavedFigures(interleaved.summary, windowSec, interleaved.elapsedSec),
          { label: 'lean server peak RSS (VmRSS every 250 ms, warm-up + run)', value: `${measured.memory.peakRssMiB} MiB` },
          measured.created,
          { label: 'agency, warm-up included (before the interleaved windows)', value: agency },
          ...(measured.tail?.figures ?? []),
        ],
        checks: [
          ...measured.checks,
          ...interleaved.checks,
          { label: 'every answer 200 (the agency accepted)', ok: measured.load.non2xx === 0 && measured.load.errors === 0, detail: `${JSON.stringify(measured.load.statusCodes)}, ${measured.load.errors} errors` },
        ],
        notes: [
          'No token check, no schema validation, no Nest, CLS, breaker, bulkhead or rate limit, no re-read of the row: what the gateway adds beyond these is its overhead (bench/lean/lean-server.ts).',
          'The "api" CPU column of this row, and the "api" of its tail: figures, is the lean server.',
          `Interleaved: ${shape.pairs} pairs of ${windowSec} s windows at the run's connections, the gateway api and the lean server in turn, the order alternating pair after pair (ABBA), after its own window; each pair's windows are seconds apart, so they see the same host pace (the sequential windows are a minute or more apart and do not).`,
        ],
      };
    } finally {
      await server.stop();
    }
  },
};
