/** The machine the figures come from, printed and stored with every run. */
import os from 'node:os';
import { serverVersion, withClient } from './database';

export interface BenchEnvironment {
  date: string;
  node: string;
  platform: string;
  cpuModel: string;
  cpuCount: number;
  /** 1, 5 and 15 minute load averages when the run started: anything else busy on the box shows here. */
  loadAverageAtStart: number[];
  totalMemoryMiB: number;
  postgres: string;
  /** The server settings that change the figures most (autovacuum off, a small shared_buffers, …). */
  postgresSettings?: Record<string, string>;
  sharing: string;
}

export async function describeEnvironment(adminDatabaseUrl: string): Promise<BenchEnvironment> {
  const cpus = os.cpus();
  const postgres = await serverVersion(adminDatabaseUrl).catch((error: Error) => `unknown (${error.message})`);
  const postgresSettings = await withClient(adminDatabaseUrl, async (client) => {
    const { rows } = await client.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings
        WHERE name IN ('shared_buffers', 'work_mem', 'max_wal_size', 'synchronous_commit', 'autovacuum', 'max_connections') ORDER BY name`,
    );
    return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
  }).catch(() => undefined);
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    loadAverageAtStart: os.loadavg().map((n) => Math.round(n * 100) / 100),
    totalMemoryMiB: Math.round(os.totalmem() / 1024 / 1024),
    postgres,
    ...(postgresSettings ? { postgresSettings } : {}),
    sharing:
      `all ${cpus.length} cores are shared by the load generator (autocannon, in this process), the agency simulator, ` +
      'PostgreSQL, Redis and the gateway api + worker: figures are for the whole box, not for the gateway alone',
  };
}

/** The box's 1, 5 and 15 minute load averages now, as `uptime` prints them (`1.23 0.98 0.75`), for a figure's line. */
export function loadAverage(): string {
  return os.loadavg().map((n) => n.toFixed(2)).join(' ');
}

export function environmentLines(env: BenchEnvironment): string[] {
  return [
    `date ${env.date} | node ${env.node} | ${env.platform}`,
    `CPU ${env.cpuModel} × ${env.cpuCount} | RAM ${env.totalMemoryMiB} MiB | load average at start ${env.loadAverageAtStart.join(' ')}`,
    `PostgreSQL: ${env.postgres}`,
    ...(env.postgresSettings ? [`PostgreSQL settings: ${Object.entries(env.postgresSettings).map(([name, value]) => `${name} ${value}`).join(', ')}`] : []),
    `NOTE: ${env.sharing}.`,
  ];
}
