import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { sameClockEnv } from './clock';
import { checkLogOutput } from './log-leaks';

const ROOT = path.resolve(__dirname, '..', '..');

/** A gateway running as a real child process (`scripts/run-ts.cjs gateway/src/main.ts <role>`). */
export interface GatewayProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> (a worker listens too: health and metrics). */
  url: string;
  /** http://127.0.0.1:<KIUNGO_METRICS_PORT>/metrics */
  metricsUrl: string;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
  /** SIGKILL: no shutdown hooks, no lease release, connections die with it. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Rate limits no test suite reaches, for suites that are not about them (the limiter still runs). */
export const UNLIMITED_RATE = '*=1000000/s';

export type GatewayRole = 'all' | 'api' | 'worker';

/**
 * Spawns the gateway with exactly `env` (plus HOST/PORT on a free port unless given, the
 * host's clock: see `sameClockEnv`, LOG_LEVEL=trace, checked by log-leaks.ts, and rate limits no
 * suite reaches unless `env` sets KIUNGO_RATE_LIMITS) and waits
 * until `/health/ready` answers 200. Throws with the process output if it exits or is not ready
 * within `readyTimeoutMs`.
 */
export async function startGatewayProcess(
  role: GatewayRole,
  env: NodeJS.ProcessEnv,
  readyTimeoutMs = 30_000,
  /** The TypeScript file to run; another entry than main.ts must end up running it (traced-gateway.ts). */
  entry = path.join(ROOT, 'gateway', 'src', 'main.ts'),
): Promise<GatewayProcess> {
  const port = env.PORT ?? String(await freePort());
  const metricsPort = env.KIUNGO_METRICS_PORT ?? String(await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'run-ts.cjs'), entry, role], {
    cwd: ROOT,
    // Every level is logged, and every line checked for personal data (log-leaks.ts).
    env: { HOST: '127.0.0.1', KIUNGO_RATE_LIMITS: UNLIMITED_RATE, ...sameClockEnv(), ...env, LOG_LEVEL: 'trace', PORT: port, KIUNGO_METRICS_PORT: metricsPort },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const source = `gateway ${role} process`;
  // Lines may be split across chunks: each stream checks whole lines only.
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      output += chunk;
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      checkLogOutput(lines.join('\n'), source);
    });
    stream?.on('end', () => checkLogOutput(partial, source));
  };
  collect(child.stdout);
  collect(child.stderr);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const process_: GatewayProcess = {
    child,
    url,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    output: () => output,
    kill: async () => {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    stop: async (graceMs = 10_000) => {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (gone()) throw new Error(`gateway ${role} exited with ${child.exitCode ?? child.signalCode}: ${output}`);
    const ok = await fetch(`${url}/health/ready`).then((r) => r.ok, () => false);
    if (ok) return process_;
    if (Date.now() > deadline) {
      await process_.kill();
      throw new Error(`gateway ${role} did not become ready within ${readyTimeoutMs} ms: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * The environment of a production-mode gateway on a test database: development tokens, a fresh
 * data key, the fast catalogue with its one agency (nrb) at `nrbUrl`, the sweeper every 300 ms.
 * Processes of one deployment share the result (same data key and signing key in `dataDir`).
 */
export function testGatewayEnv(options: { databaseUrl: string; dataDir: string; nrbUrl: string; logLevel?: string }): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: options.databaseUrl,
    KIUNGO_DEV_TOKENS: '1',
    KIUNGO_DATA_KEY: randomBytes(32).toString('base64'),
    KIUNGO_DATA_DIR: options.dataDir,
    KIUNGO_CATALOGUE_DIR: path.join(ROOT, 'test', 'fixtures', 'catalogue-fast'),
    NRB_BASE_URL: options.nrbUrl,
    LOG_LEVEL: options.logLevel ?? 'warn',
    KIUNGO_SWEEP_INTERVAL_MS: '300',
  };
}
