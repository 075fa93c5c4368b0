/**
 * The REST agency simulator in its own process, as an agency would be: it gets its own event loop
 * (though on this box it still shares the two cores with everything else).
 */
import path from 'node:path';
import type { RestAgencyMode } from '../../test/simulators/rest-agency/rest-agency.state';
import { freePort, isOk, requestJson } from './http';
import { spawnManaged, waitUntil, type ManagedProcess } from './processes';
import { REPO_ROOT } from './repo';

export interface SimulatorHandle {
  readonly url: string;
  readonly pid: number;
  readonly process: ManagedProcess;
  setMode(mode: RestAgencyMode): Promise<void>;
  /** Submissions the agency has received so far (`POST /api/v1/...`), whatever it answered. */
  calls(): Promise<number>;
  /** Submissions received, and applications created (unique keys), so far. */
  counts(): Promise<{ calls: number; accepted: number; duplicates: number }>;
  /** Healthy, no applications, counters at zero: each scenario starts from the same agency. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSimulator(options: { prefix: string; port?: number }): Promise<SimulatorHandle> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const managed = spawnManaged(
    `simulator ${options.prefix}`,
    process.execPath,
    [path.join(REPO_ROOT, 'scripts', 'run-ts.cjs'), 'test/simulators/rest-agency/main.ts', '--port', String(port), '--prefix', options.prefix],
    { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' } },
  );
  await waitUntil(() => isOk(`${url}/health`), `the ${options.prefix} simulator at ${url}`, { timeoutMs: 30_000, process: managed });

  return {
    url,
    pid: managed.pid,
    process: managed,
    setMode: async (mode) => {
      const { status, body } = await requestJson(`${url}/_control`, { method: 'PUT', body: { mode } });
      if (status !== 200) throw new Error(`simulator refused mode ${mode}: ${status} ${JSON.stringify(body)}`);
    },
    calls: async () => (await counts(url)).calls,
    counts: () => counts(url),
    reset: async () => {
      const { status } = await requestJson(`${url}/_reset`, { method: 'POST' });
      if (status !== 200) throw new Error(`simulator /_reset answered ${status}`);
    },
    stop: () => managed.stop(),
  };
}

// /_stats also lists every key accepted since the last reset: fine a few times per scenario
// (scenarios reset the agency first), too heavy to poll during a measurement.
async function counts(url: string): Promise<{ calls: number; accepted: number; duplicates: number }> {
  const { status, body } = await requestJson<{ calls: number; accepted: number; duplicates: number }>(`${url}/_stats`);
  if (status !== 200) throw new Error(`simulator /_stats answered ${status}`);
  return { calls: body.calls, accepted: body.accepted, duplicates: body.duplicates };
}
