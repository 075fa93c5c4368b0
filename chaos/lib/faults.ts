/**
 * The faults, injected one after another while traffic runs. Each takes a time budget, ends by
 * itself and leaves the system whole again (agency healthy, process restarted, server up); the
 * record says what was done and how long the thing was out.
 */
import { Client } from 'pg';
import { flushRedisDb } from '../../bench/lib/database';
import { sleep } from '../../bench/lib/processes';
import { postgresCtl, postgresUp, redisShutdown, redisStart, waitFor } from './infra';
import type { ChaosStack } from './stack';

export const FAULT_NAMES = ['agency-flap', 'agency-hang', 'worker-kill', 'api-kill', 'redis-restart', 'redis-flush', 'pg-restart'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export interface FaultContext {
  stack: ChaosStack;
  adminDatabaseUrl: string;
  redisUrl: string;
  log: (line: string) => void;
  /** Time the fault may take, including the recovery it waits for. */
  budgetMs: number;
}

export interface FaultRecord {
  name: FaultName;
  /** What exactly was done, e.g. "nrb down/up ×4 every 1500 ms". */
  action: string;
  startedAtMs: number;
  tookMs: number;
  /** How long the component was out (down, hung, dead, unreachable). */
  outageMs: number;
  ok: boolean;
  error?: string;
}

type Injector = (ctx: FaultContext) => Promise<{ action: string; outageMs: number }>;

const INJECTORS: Record<FaultName, Injector> = {
  'agency-flap': async ({ stack, budgetMs }) => {
    const agency = stack.simulators.nrb;
    const flapMs = Math.max(700, Math.min(3000, Math.floor(budgetMs / 5)));
    const deadline = Date.now() + budgetMs;
    let flaps = 0;
    let outageMs = 0;
    while (Date.now() + 2 * flapMs <= deadline) {
      await agency.setMode('down');
      await sleep(flapMs);
      await stack.restoreAgency('nrb');
      outageMs += flapMs;
      flaps++;
      await sleep(flapMs);
    }
    return { action: `nrb down/up ×${flaps}, ${flapMs} ms each way`, outageMs };
  },
  'agency-hang': async ({ stack, budgetMs }) => {
    const agency = stack.simulators.sha;
    const hangMs = Math.max(2000, budgetMs - 1000);
    await agency.setMode('hang');
    await sleep(hangMs);
    await stack.restoreAgency('sha');
    return { action: `sha hangs (accepts, never answers) for ${hangMs} ms`, outageMs: hangMs };
  },
  'worker-kill': async ({ stack, budgetMs }) => {
    const victim = stack.worker;
    const downMs = Math.max(1000, Math.floor(budgetMs / 3));
    const killedAt = Date.now();
    victim.process.child.kill('SIGKILL');
    await sleep(downMs);
    const next = await stack.restartWorker();
    return { action: `SIGKILL worker pid ${victim.pid}; ${downMs} ms later pid ${next.pid}`, outageMs: Date.now() - killedAt };
  },
  'api-kill': async ({ stack, budgetMs }) => {
    const index = 1;
    const victim = stack.apis[index];
    const downMs = Math.max(1000, Math.floor(budgetMs / 3));
    const killedAt = Date.now();
    victim.process.child.kill('SIGKILL');
    await sleep(downMs);
    const next = await stack.restartApi(index);
    return { action: `SIGKILL api #${index + 1} pid ${victim.pid}; pid ${next.pid} on ${next.url}`, outageMs: Date.now() - killedAt };
  },
  'redis-restart': async ({ budgetMs, redisUrl }) => {
    const downMs = Math.max(1000, Math.floor(budgetMs / 3));
    const downAt = Date.now();
    await redisShutdown(redisUrl);
    await sleep(downMs);
    await redisStart(redisUrl);
    return { action: `redis shutdown nosave; ${downMs} ms later redis-server started again (every key lost)`, outageMs: Date.now() - downAt };
  },
  'redis-flush': async ({ redisUrl }) => {
    await flushRedisDb(redisUrl);
    return { action: `FLUSHDB on ${new URL(redisUrl).pathname.slice(1) || '0'} (queued retry jobs lost)`, outageMs: 0 };
  },
  'pg-restart': async ({ adminDatabaseUrl, stack }) => {
    // At a few requests a second a restart rarely finds a request inside a database transaction;
    // in production it nearly always does. Holding the slot table for a moment makes sure some
    // bookings are mid-transaction (waiting on the lock) when the connections are cut.
    const lock = await holdTableLock(stack.deployment.databaseUrl, 'appointment_slots', LOCK_BEFORE_RESTART_MS);
    const downAt = Date.now();
    try {
      await postgresCtl('restart');
    } finally {
      await lock.release(); // the restart ended it already; if the restart failed, this lets the bookings go
    }
    await waitFor(() => postgresUp(adminDatabaseUrl), 'PostgreSQL after restart', 60_000);
    return {
      action: `pg restart (every connection dropped) with bookings waiting on a ${LOCK_BEFORE_RESTART_MS} ms lock of appointment_slots`,
      outageMs: Date.now() - downAt,
    };
  },
};

const LOCK_BEFORE_RESTART_MS = 1500;

/** Takes an EXCLUSIVE lock on `table` (reads go on, writes wait) and returns once it has been held for `ms`. */
async function holdTableLock(databaseUrl: string, table: string, ms: number): Promise<{ release(): Promise<void> }> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'kiungo-chaos-lock' });
  client.on('error', () => undefined); // the restart terminates this connection: expected
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
    await sleep(ms);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return { release: () => client.end().catch(() => undefined) };
}

export async function injectFault(name: FaultName, ctx: FaultContext, runStartedAt: number): Promise<FaultRecord> {
  const startedAt = Date.now();
  ctx.log(`fault ${name} …`);
  try {
    const { action, outageMs } = await INJECTORS[name](ctx);
    ctx.log(`fault ${name}: ${action}`);
    return { name, action, startedAtMs: startedAt - runStartedAt, tookMs: Date.now() - startedAt, outageMs, ok: true };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    ctx.log(`fault ${name} FAILED: ${message}`);
    return { name, action: '(failed)', startedAtMs: startedAt - runStartedAt, tookMs: Date.now() - startedAt, outageMs: 0, ok: false, error: message };
  }
}

/** `--faults=a,b` → the names, in the order given; unknown names are an error. */
export function parseFaults(text: string | undefined): FaultName[] {
  if (!text || text === 'all') return [...FAULT_NAMES];
  const names = text.split(',').map((n) => n.trim()).filter(Boolean);
  for (const name of names) {
    if (!(FAULT_NAMES as readonly string[]).includes(name)) throw new Error(`unknown fault "${name}"; known: ${FAULT_NAMES.join(', ')}`);
  }
  return names as FaultName[];
}
