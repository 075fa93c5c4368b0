/**
 * `db-floor`: the database alone doing what one transaction submit does. The api's statement probe
 * records the statements of a few submits (bench/lib/recorded-requests.ts); pgbench replays
 * exactly those, each transaction with its own ids, agency reference and shard
 * (bench/lib/pgbench-script.ts), with the gateway's clients and duration, on the bench database
 * the gateway just used. So the script follows the submit path whenever it changes. Its tps is the
 * most a gateway on this box could reach with this SQL; gateway req/s ÷ pgbench tps is the share
 * of that floor Kiungo reaches. Then `stored per submit`: the same script replayed a fixed number of
 * times on a database of its own, and what it stored counted (WAL records and bytes, B-tree and heap
 * inserts, rows, blocks: bench/lib/stored-per-submit.ts), figures that do not move with the load on
 * the box. Skipped when pgbench is not installed (postgresql-client).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findBinary } from '../lib/binaries';
import { watchCpu } from '../lib/cpu';
import { loadFromSamples } from '../lib/latency';
import { pgbenchArgs, processedOf, replayScript, runPgbench } from '../lib/pgbench-script';
import { recordRequests, requestCost, tableRows } from '../lib/recorded-requests';
import { RESULTS_DIR } from '../lib/repo';
import { ScenarioSkipped, type Check, type Scenario } from '../lib/scenario';
import { gatewayStack, submitTransactionLoad } from '../lib/stack';
import { countStoredPerSubmit, describeStoredPerSubmit, pgbenchReplay } from '../lib/stored-per-submit';

/** Submits recorded to find the statements every one of them sends. */
const RECORDED = 5;

export const dbFloor: Scenario = {
  name: 'db-floor',
  summary: "pgbench replaying the statements the api sent for a submit (recorded, fresh ids per transaction), the gateway's clients and duration",
  baseline: 'gateway',
  async run(ctx) {
    const binary = findBinary('pgbench');
    if (!binary) throw new ScenarioSkipped('pgbench is not installed (it ships with postgresql-client); no database floor to compare with');
    const stack = await gatewayStack(ctx);
    await stack.simulator.reset();
    const databaseUrl = stack.deployment.databaseUrl;
    const recorded = await recordRequests({
      probe: stack.api.probe,
      request: submitTransactionLoad(stack.api, stack.channelToken),
      databaseUrl,
      count: RECORDED,
      expectStatus: 200,
    });
    const script = await replayScript(recorded, { databaseUrl });
    const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-bench-pgbench-'));
    const scriptFile = path.join(dir, 'submit-transaction.sql');
    writeFileSync(scriptFile, script.text);
    // Kept for a look (bench/results/ is ignored by git): the script and its -D variables.
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(path.join(RESULTS_DIR, 'db-floor.pgbench.sql'), script.text);
    writeFileSync(path.join(RESULTS_DIR, 'db-floor.pgbench-variables.json'), `${JSON.stringify(script.variables, null, 2)}\n`);
    const clients = ctx.settings.connections;
    const args = (seconds: number, log: boolean): string[] =>
      pgbenchArgs({
        scriptFile,
        variables: script.variables,
        mode: script.mode,
        clients,
        run: ['-T', seconds],
        logPrefix: log ? path.join(dir, 'tx') : undefined,
        databaseUrl,
      });
    try {
      await runPgbench(binary, args(ctx.settings.warmupSec, false), `script in ${dir}`);
      const before = await tableRows(databaseUrl);
      const cpu = watchCpu({});
      const started = performance.now();
      const output = await runPgbench(binary, args(ctx.settings.durationSec, true), `script in ${dir}`);
      const elapsedSec = (performance.now() - started) / 1000;
      const samples = readLatencies(dir);
      const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? NaN);
      const processed = processedOf(output);
      const failedTx = Number(/number of failed transactions: (\d+)/.exec(output)?.[1] ?? 0);
      const cpuReport = cpu.stop(processed);
      const after = await tableRows(databaseUrl);
      const load = { ...loadFromSamples({ samples, elapsedSec: ctx.settings.durationSec, concurrency: clients, ok: processed - failedTx, failed: failedTx }), rps: Math.round(tps * 10) / 10 };
      const gateway = ctx.results.get('gateway');
      // Counted after the timed window, on a database of its own, with the same script.
      const stored = await countStoredPerSubmit(ctx.settings.adminDatabaseUrl, pgbenchReplay(binary, { file: scriptFile, variables: script.variables, mode: script.mode }), ctx);
      return {
        target: `pgbench (${clients} clients, 2 threads, -M ${script.mode}) on ${new URL(databaseUrl).pathname.slice(1)}: the ${script.statements} statements of one submit`,
        load,
        cpu: cpuReport,
        requestCost: requestCost(recorded),
        storedPerSubmit: stored,
        figures: [
          { label: 'pgbench tps (submits/s the database alone sustains)', value: tps.toFixed(1) },
          ...(gateway ? [{ label: 'gateway req/s ÷ pgbench tps (share of the database floor reached)', value: ratio(gateway.load.rps / tps) }] : []),
          ...(recorded.occasional.length > 0 ? [{ label: 'sent by some recorded submits only (not replayed)', value: recorded.occasional.join(' | ') }] : []),
          { label: 'rows per submit: gateway / pgbench', value: describeRows(recorded.rowsPerRequest, before, after, processed) },
          { label: 'pgbench wall time', value: `${elapsedSec.toFixed(1)} s` },
          ...describeStoredPerSubmit(stored),
        ],
        checks: [
          {
            label: 'every pgbench transaction ran without error',
            ok: failedTx === 0 && processed > 0,
            detail: `${processed} processed, ${failedTx} failed`,
          },
          rowsCheck(recorded.rowsPerRequest, before, after, processed),
        ],
        notes: [
          `Script: recorded from the api (bench/lib/probe) and turned into pgbench by bench/lib/pgbench-script.ts; ids, idempotency key and agency reference minted per transaction${script.extra ? `, in ${script.extra} extra statement` : ' inside the first statement'}; the audit shard drawn at random.`,
          ...script.notes,
          'pgbench runs on the same cores as PostgreSQL, as autocannon does for the gateway; latency columns are per submit (all its round trips).',
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

function ratio(value: number): string {
  return `${value.toFixed(2)} (${(value * 100).toFixed(0)} %)`;
}

function describeRows(gateway: Record<string, number>, before: Record<string, number>, after: Record<string, number>, processed: number): string {
  return Object.entries(gateway)
    .map(([table, n]) => `${table} ${n} / ${processed > 0 ? ((after[table] - (before[table] ?? 0)) / processed).toFixed(2) : '—'}`)
    .join(', ');
}

/** pgbench must write what a submit writes: the same rows per transaction in every table a submit grows. */
function rowsCheck(gateway: Record<string, number>, before: Record<string, number>, after: Record<string, number>, processed: number): Check {
  const wrong = Object.entries(gateway).filter(([table, n]) => after[table] - (before[table] ?? 0) !== n * processed);
  return {
    label: 'pgbench wrote per transaction the rows a gateway submit writes',
    ok: Object.keys(gateway).length > 0 && wrong.length === 0,
    detail: wrong.length === 0 ? describeRows(gateway, before, after, processed) : `differs in ${wrong.map(([t]) => t).join(', ')}: ${describeRows(gateway, before, after, processed)}`,
  };
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
