/**
 * The shared pieces scenarios stand on, started once per run on first use: the NRB REST agency
 * simulator, and a production-mode gateway (one api + one worker process) pointed at it.
 */
import path from 'node:path';
import { nrbEnvelope } from '../../test/e2e/transactions.helpers';
import { ensureBuilt } from './build';
import { writeBenchCatalogue, type BenchCatalogue } from './catalogue';
import { dropDatabase, flushRedisDb } from './database';
import { createGatewayDeployment, type GatewayDeployment, type GatewayProcess } from './gateway';
import type { LoadRequest, BenchContext } from './scenario';
import { startSimulator, type SimulatorHandle } from './simulator';

/** Each run its own database, so that two runs on one server (a helper's scenario beside CI's) never drop each other's. */
export const BENCH_DATABASE = `kiungo_bench_run_${process.pid}`;

/** `--perf-map`: V8 writes /tmp/perf-<pid>.map and keeps interpreted frames on the native stack, so perf names JS functions. */
export const PERF_MAP_NODE_ARGS = ['--perf-basic-prof', '--interpreted-frames-native-stack'];
/** The service every transaction scenario submits: NRB's ID card replacement. */
export const NRB_SERVICE_PATH = '/api/v1/id-replacements';

export interface GatewayStack {
  simulator: SimulatorHandle;
  deployment: GatewayDeployment;
  /** The first api process: the one the single-process figures (and RSS) are about. */
  api: GatewayProcess;
  worker: GatewayProcess;
  /** `channel` role, subject `bench`. */
  channelToken: string;
  /** The demo catalogue copied with NRB's replay rate raised (KIUNGO_CATALOGUE_DIR of every process). */
  catalogue: BenchCatalogue;
}

export function nrbSimulator(ctx: BenchContext): Promise<SimulatorHandle> {
  return ctx.shared(
    'simulator:nrb',
    () => startSimulator({ prefix: 'NRB' }),
    (simulator) => simulator.stop(),
  );
}

export function gatewayStack(ctx: BenchContext): Promise<GatewayStack> {
  return ctx.shared('gateway', () => startGatewayStack(ctx), (stack) => stopGatewayStack(stack, ctx.settings.adminDatabaseUrl));
}

/** The processes of the stack, labelled for `watchCpu`. */
export function stackProcesses(stack: GatewayStack): { api: number; worker: number; simulator: number } {
  return { api: stack.api.pid, worker: stack.worker.pid, simulator: stack.simulator.pid };
}

/** POST /v1/transactions for NRB's id-card-replacement on `api`, as the channel `bench`. */
export function submitTransactionLoad(api: GatewayProcess, token: string): LoadRequest {
  return {
    url: api.url,
    path: '/v1/transactions',
    headers: { authorization: `Bearer ${token}` },
    body: nrbEnvelope(),
  };
}

/** POST of the same payload straight to the agency. */
export function directAgencyLoad(simulator: SimulatorHandle): LoadRequest {
  return { url: simulator.url, path: NRB_SERVICE_PATH, body: nrbEnvelope().payload };
}

async function startGatewayStack(ctx: BenchContext): Promise<GatewayStack> {
  const { settings } = ctx;
  if (settings.build && ensureBuilt(ctx.log) === 'built') ctx.log('build done');
  const simulator = await nrbSimulator(ctx);
  const catalogue = writeBenchCatalogue();
  const deployment = await createGatewayDeployment({
    adminDatabaseUrl: settings.adminDatabaseUrl,
    databaseName: BENCH_DATABASE,
    redisUrl: settings.redisUrl,
    env: { NRB_BASE_URL: simulator.url, ...catalogue.env },
  });
  const profileArgs = [
    ...(settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(settings.cpuProfileDir)}`] : []),
    ...(settings.perfMap ? PERF_MAP_NODE_ARGS : []),
  ];
  // The api and the worker migrate at start-up under an advisory lock, so they may start together.
  const [api, worker] = await Promise.all([deployment.start('api', { nodeArgs: profileArgs }), deployment.start('worker')]);
  const channelToken = await deployment.token('channel', 'bench');
  ctx.log(`gateway api pid ${api.pid} at ${api.url} (NODE_OPTIONS '${deployment.apiNodeOptions}', as deployed), worker pid ${worker.pid}, simulator pid ${simulator.pid} at ${simulator.url}`);
  return { simulator, deployment, api, worker, channelToken, catalogue };
}

async function stopGatewayStack(stack: GatewayStack, adminDatabaseUrl: string): Promise<void> {
  await Promise.all([stack.api.stop(), stack.worker.stop()]);
  stack.deployment.dispose();
  stack.catalogue.remove();
  // The run's own database and the queue's jobs go with it.
  await flushRedisDb(stack.deployment.redisUrl);
  await dropDatabase(adminDatabaseUrl, BENCH_DATABASE);
}

export function describeAgency(counts: { calls: number; accepted: number; duplicates: number }): string {
  return `${counts.accepted} applications created from ${counts.calls} calls (${counts.duplicates} repeated keys)`;
}
