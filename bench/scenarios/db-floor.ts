/**
 * `db-floor`: the database alone doing what one transaction submit does. pgbench runs the four
 * statements of a submit (bench/lib/submit-sql.ts: idempotency look-up, insertReceived with its
 * audit CTEs, applyAttempt with two events, the idempotency INSERT), each autocommitted like the
 * gateway's, over the extended protocol, on the bench database the gateway just used, with the
 * same number of clients and the same duration. Its tps is the most a gateway on this box could
 * reach with this schema; gateway req/s ÷ pgbench tps is how much of that floor Kiungo reaches.
 * Skipped when pgbench is not installed (it ships with postgresql-client).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findBinary } from '../lib/binaries';
import { watchCpu } from '../lib/cpu';
import { withClient } from '../lib/database';
import { requestJson } from '../lib/http';
import { loadFromSamples } from '../lib/latency';
import { spawnManaged } from '../lib/processes';
import { REPO_ROOT } from '../lib/repo';
import { ScenarioSkipped, type Scenario } from '../lib/scenario';
import { gatewayStack, submitTransactionLoad } from '../lib/stack';
import { submitTransactionScript } from '../lib/submit-sql';

export const dbFloor: Scenario = {
  name: 'db-floor',
  summary: 'pgbench: the SQL of one transaction submit (4 statements, audit CTEs included), same clients and duration as gateway',
  baseline: 'gateway',
  async run(ctx) {
    const binary = findBinary('pgbench');
    if (!binary) throw new ScenarioSkipped('pgbench is not installed (it ships with postgresql-client); no database floor to compare with');
    const stack = await gatewayStack(ctx);
    const databaseUrl = stack.deployment.databaseUrl;
    const shards = await withClient(databaseUrl, async (client) => Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM audit_chain_heads')).rows[0].n));
    const storedBody = await oneRealAnswer(stack);
    const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-bench-pgbench-'));
    const script = path.join(dir, 'submit-transaction.sql');
    const generated = await submitTransactionScript({ shards, storedBody });
    writeFileSync(script, generated.text);
    // The gateway sends its hot statements as named prepared statements when it can; pgbench has
    // one mode per run: prepared when the gateway prepares any of them, else extended (unnamed).
    const mode = generated.preparedByGateway > 0 ? 'prepared' : 'extended';
    const clients = ctx.settings.connections;
    const args = (seconds: number, log: boolean): string[] => [
      '-n', // no vacuum of pgbench's own tables: there are none
      '-M',
      mode,
      '-c',
      String(clients),
      '-j',
      '2',
      '-T',
      String(seconds),
      '-f',
      script,
      ...(log ? ['-l', '--log-prefix', path.join(dir, 'tx')] : []),
      databaseUrl,
    ];
    try {
      await runPgbench(binary, args(ctx.settings.warmupSec, false), dir);
      const before = await countRows(databaseUrl);
      const cpu = watchCpu({});
      const started = performance.now();
      const output = await runPgbench(binary, args(ctx.settings.durationSec, true), dir);
      const elapsedSec = (performance.now() - started) / 1000;
      const samples = readLatencies(dir);
      const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? NaN);
      const processed = Number(/number of transactions actually processed: (\d+)/.exec(output)?.[1] ?? NaN);
      const failedTx = Number(/number of failed transactions: (\d+)/.exec(output)?.[1] ?? 0);
      const cpuReport = cpu.stop(processed);
      const after = await countRows(databaseUrl);
      const load = { ...loadFromSamples({ samples, elapsedSec: ctx.settings.durationSec, concurrency: clients, ok: processed - failedTx, failed: failedTx }), rps: Math.round(tps * 10) / 10 };
      const gateway = ctx.results.get('gateway');
      return {
        target: `pgbench (${clients} clients, 2 threads, -M ${mode}) on ${new URL(databaseUrl).pathname.slice(1)}: 4 statements per submit`,
        load,
        figures: [
          { label: 'pgbench tps (submits/s the database alone sustains)', value: tps.toFixed(1) },
          ...(gateway
            ? [{ label: 'gateway req/s ÷ pgbench tps (share of the database floor reached)', value: `${((gateway.load.rps / tps) * 100).toFixed(0)} %` }]
            : []),
          { label: 'rows added: transactions completed / audit events / idempotency keys', value: `${after.completed - before.completed} / ${after.events - before.events} / ${after.keys - before.keys}` },
          { label: 'pgbench wall time', value: `${elapsedSec.toFixed(1)} s` },
        ],
        cpu: cpuReport,
        checks: [
          {
            label: 'every pgbench transaction completed a transaction row with 3 audit events and 1 idempotency key',
            ok: failedTx === 0 && after.completed - before.completed === processed && after.events - before.events === 3 * processed && after.keys - before.keys === processed,
            detail: `${processed} processed, ${failedTx} failed`,
          },
        ],
        notes: [
          `Script: bench/lib/submit-sql.ts (generated from PgTransactionRepository / AuditLog / PgIdempotencyRepository); the ids come from gen_random_uuid() in the look-up, the audit shard from \\set random(0, ${shards - 1}).`,
          `The gateway sends ${generated.preparedByGateway} of the 4 statements as named prepared statements; pgbench -M ${mode} sends all 4 that way.`,
          'pgbench runs on the same cores as PostgreSQL, as autocannon does for the gateway; latency columns are per submit (4 round trips).',
          'pgbench is the load generator here (its CPU is counted when it exits); its backends are sampled every half second, so their last moments may fall into "everything else".',
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function oneRealAnswer(stack: Awaited<ReturnType<typeof gatewayStack>>): Promise<unknown> {
  const request = submitTransactionLoad(stack.api, stack.channelToken);
  const { status, body } = await requestJson(`${request.url}${request.path}`, {
    method: 'POST',
    headers: { ...request.headers, 'idempotency-key': `bench-db-floor-${Date.now()}` },
    body: request.body,
  });
  if (status !== 200) throw new Error(`POST /v1/transactions answered ${status} (expected 200): ${JSON.stringify(body)}`);
  return body;
}

function runPgbench(binary: string, args: string[], dir: string): Promise<string> {
  const managed = spawnManaged('pgbench', binary, args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, PGAPPNAME: 'kiungo-bench-pgbench' } });
  return new Promise((resolve, reject) => {
    managed.child.once('exit', (code) => {
      const output = managed.output();
      if (code === 0) resolve(output);
      else reject(new Error(`pgbench exited with ${code} (script in ${dir}):\n${output.slice(-3000)}`));
    });
  });
}

/** Per-transaction log lines: `client_id transaction_no time_us script_no epoch epoch_us`. */
function readLatencies(dir: string): number[] {
  const samples: number[] = [];
  for (const file of readdirSync(dir).filter((name) => name.startsWith('tx'))) {
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      const fields = line.split(' ');
      if (fields.length >= 3) samples.push(Number(fields[2]) / 1000);
    }
  }
  return samples;
}

async function countRows(url: string): Promise<{ completed: number; events: number; keys: number }> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ completed: string; events: string; keys: string }>(
      `SELECT (SELECT count(*) FROM transactions WHERE state = 'completed') AS completed,
              (SELECT count(*) FROM audit_events) AS events,
              (SELECT count(*) FROM idempotency_keys) AS keys`,
    );
    return { completed: Number(rows[0].completed), events: Number(rows[0].events), keys: Number(rows[0].keys) };
  });
}
