/**
 * `gateway`: autocannon → one production-mode api process (worker beside it), POST
 * /v1/transactions with a fresh Idempotency-Key per request, the agency healthy, at the run's
 * connections (50). Afterwards the database must show every 200 as a `completed` transaction; the
 * api's peak RSS is sampled, with the api started as deployed (its NODE_OPTIONS: bench/lib/deployed-api.ts). `gateway-c10` is the same at 10 connections.
 */
import { DEPLOYED_API_OVERLAY } from '../lib/deployed-api';
import type { Scenario } from '../lib/scenario';
import { describeAgency, gatewayStack, stackProcesses, submitTransactionLoad } from '../lib/stack';
import { littlesLaw, measureSubmits } from '../lib/submit-measure';

const C10 = 10;

export const gateway: Scenario = {
  name: 'gateway',
  summary: 'autocannon → gateway api (production mode, built code) POST /v1/transactions, agency healthy',
  baseline: 'direct',
  run: (ctx) => measureGateway(ctx),
};

export const gatewayC10: Scenario = {
  name: 'gateway-c10',
  summary: `like gateway at ${C10} connections: latency nearer the service time`,
  baseline: 'gateway',
  run: (ctx) => measureGateway(ctx, C10),
};

async function measureGateway(ctx: Parameters<Scenario['run']>[0], connections?: number): ReturnType<Scenario['run']> {
  const stack = await gatewayStack(ctx);
  await stack.simulator.reset();
  const measured = await measureSubmits(ctx, {
    request: submitTransactionLoad(stack.api, stack.channelToken),
    server: stack.api,
    processes: stackProcesses(stack),
    probes: { api: stack.api.probe, worker: stack.worker.probe },
    databaseUrl: stack.deployment.databaseUrl,
    connections,
    tail: connections ? `gateway-c${connections}` : 'gateway',
  });
  return {
    target: `gateway api (pid ${stack.api.pid}) POST /v1/transactions`,
    load: measured.load,
    cpu: measured.cpu,
    requestCost: measured.requestCost,
    metrics: { peakRssMiB: measured.memory.peakRssMiB, ...measured.tail?.metrics },
    figures: [
      { label: 'api peak RSS (VmRSS every 250 ms, warm-up + run)', value: `${measured.memory.peakRssMiB} MiB` },
      { label: `api started as deployed: NODE_OPTIONS of kiungo-api in ${DEPLOYED_API_OVERLAY}`, value: stack.deployment.apiNodeOptions || '(none)' },
      { label: 'api VmHWM (peak since process start)', value: `${measured.memory.hwmMiB} MiB` },
      measured.created,
      { label: 'agency, warm-up included', value: describeAgency(await stack.simulator.counts()) },
      ...(measured.tail?.figures ?? []),
    ],
    checks: measured.checks,
    notes: [littlesLaw(measured.load), '"rows created in window" includes requests cut off when autocannon stopped: those may still be received/dispatched.'],
  };
}
