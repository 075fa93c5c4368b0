/**
 * What the chaos run stands on: the REST agency simulators (own processes), and the gateway in
 * production mode — two api processes and one worker from dist/, on a fresh PostgreSQL database
 * and a flushed Redis database. Process slots are mutable: a fault kills one and starts its successor
 * (on a new port), and traffic always goes to whoever holds the slot now.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGatewayDeployment, type GatewayDeployment, type GatewayProcess } from '../../bench/lib/gateway';
import { REPO_ROOT } from '../../bench/lib/repo';
import { requestJson } from '../../bench/lib/http';
import { startSimulator, type SimulatorHandle } from '../../bench/lib/simulator';
import type { RestAgencyMode } from '../../test/simulators/rest-agency/rest-agency.state';

export const CHAOS_DATABASE = 'kiungo_chaos';

/** The REST agencies of the demo catalogue; each gets its own simulator process. */
export const CHAOS_AGENCIES = ['nrb', 'sha', 'brs'] as const;
export type ChaosAgency = (typeof CHAOS_AGENCIES)[number];

/**
 * Retry delays of the shipped agency files go up to 5 minutes, so a transaction that met several
 * faults may rightly wait minutes for its next try. The run must settle in a bounded time, so the
 * copied agency files keep every other setting but cap the backoff.
 */
const CHAOS_RETRY = { baseDelayMs: 500, maxDelayMs: 5000 };

/**
 * NRB counts as degraded after its breaker has been open 4 s (shipped: 60 s), so that the flapping
 * agency also takes the manual-fallback path: new transactions stored (`manual`, store-and-forward)
 * and replayed by the worker once the agency is back — under the faults that follow.
 */
const CHAOS_REPLAY: Partial<Record<ChaosAgency, { degradedAfterMs: number }>> = { nrb: { degradedAfterMs: 4000 } };

/**
 * Between faults SHA is flaky (every 4th call a 503), so that retries are always queued when a
 * process, Redis or PostgreSQL goes away; the breaker (50 % threshold) stays closed.
 */
const BACKGROUND_MODES: Partial<Record<ChaosAgency, { mode: RestAgencyMode; failEvery?: number }>> = {
  sha: { mode: 'flaky', failEvery: 4 },
};

export interface ChaosStackOptions {
  adminDatabaseUrl: string;
  redisUrl: string;
  log: (line: string) => void;
}

export interface ChaosStack {
  readonly deployment: GatewayDeployment;
  readonly simulators: Readonly<Record<ChaosAgency, SimulatorHandle>>;
  /** Current api processes (index 0 and 1); replaced in place on restart. */
  readonly apis: GatewayProcess[];
  worker: GatewayProcess;
  readonly catalogueDir: string;
  /** Puts an agency back to its behaviour between faults (BACKGROUND_MODES, else healthy). */
  restoreAgency(code: ChaosAgency): Promise<void>;
  /** Every agency healthy (for settling at the end). */
  healAgencies(): Promise<void>;
  restartApi(index: number): Promise<GatewayProcess>;
  restartWorker(): Promise<GatewayProcess>;
  /** Stops the gateway processes (SIGTERM, by pid) and the simulators; removes temp folders. */
  stop(): Promise<void>;
}

export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const catalogueDir = chaosCatalogue();
  const started = await Promise.all(CHAOS_AGENCIES.map((code) => startSimulator({ prefix: code.toUpperCase() })));
  const simulators = Object.fromEntries(CHAOS_AGENCIES.map((code, i) => [code, started[i]])) as Record<ChaosAgency, SimulatorHandle>;
  const deployment = await createGatewayDeployment({
    adminDatabaseUrl: options.adminDatabaseUrl,
    databaseName: CHAOS_DATABASE,
    redisUrl: options.redisUrl,
    env: {
      ...Object.fromEntries(CHAOS_AGENCIES.map((code) => [`${code.toUpperCase()}_BASE_URL`, simulators[code].url])),
      KIUNGO_CATALOGUE_DIR: catalogueDir,
      KIUNGO_SEED_CENTRES: '1',
      KIUNGO_SWEEP_INTERVAL_MS: '2000',
      DB_POOL_MAX: '10',
    },
  });
  // The first process migrates and seeds alone; the others then start together.
  const first = await deployment.start('api');
  const [second, worker] = await Promise.all([deployment.start('api'), deployment.start('worker')]);
  const apis = [first, second];
  options.log(
    `api pids ${apis.map((a) => `${a.pid} (${a.url})`).join(', ')}, worker pid ${worker.pid}, ` +
      `simulators ${CHAOS_AGENCIES.map((c) => `${c} pid ${simulators[c].pid}`).join(', ')}`,
  );

  const restoreAgency = async (code: ChaosAgency): Promise<void> => {
    const body = BACKGROUND_MODES[code] ?? { mode: 'healthy' };
    const { status } = await requestJson(`${simulators[code].url}/_control`, { method: 'PUT', body });
    if (status !== 200) throw new Error(`${code} simulator refused ${JSON.stringify(body)}: ${status}`);
  };
  await Promise.all(CHAOS_AGENCIES.map(restoreAgency));

  const stack: ChaosStack = {
    deployment,
    simulators,
    apis,
    worker,
    catalogueDir,
    restoreAgency,
    healAgencies: async () => {
      await Promise.all(CHAOS_AGENCIES.map((code) => simulators[code].setMode('healthy')));
    },
    restartApi: async (index) => {
      const next = await deployment.start('api');
      apis[index] = next;
      return next;
    },
    restartWorker: async () => {
      stack.worker = await deployment.start('worker');
      return stack.worker;
    },
    stop: async () => {
      await Promise.all([...apis, stack.worker].map((p) => p.stop()));
      await Promise.all(Object.values(simulators).map((s) => s.stop()));
      deployment.dispose();
      rmSync(catalogueDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** A temporary catalogue: the shipped REST agency folders, with the backoff capped (CHAOS_RETRY). */
function chaosCatalogue(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-chaos-catalogue-'));
  for (const code of CHAOS_AGENCIES) {
    const target = path.join(dir, code);
    cpSync(path.join(REPO_ROOT, 'contracts', 'catalogue', code), target, { recursive: true });
    const file = path.join(target, 'agency.json');
    const agency = JSON.parse(readFileSync(file, 'utf8')) as AgencyFileRetry;
    agency.retry = { ...agency.retry, ...CHAOS_RETRY };
    const replay = CHAOS_REPLAY[code];
    if (replay) agency.replay = { ...agency.replay, ...replay };
    for (const service of agency.services) {
      if (service.retry) service.retry = { ...service.retry, ...CHAOS_RETRY };
    }
    writeFileSync(file, `${JSON.stringify(agency, null, 2)}\n`);
  }
  return dir;
}

/** The parts of an agency file this module rewrites (the rest is kept as read). */
interface AgencyFileRetry {
  retry?: Record<string, number>;
  replay?: Record<string, number>;
  services: { retry?: Record<string, number> }[];
}
