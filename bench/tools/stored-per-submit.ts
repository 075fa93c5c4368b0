/**
 * `stored per submit` (db-floor's count, bench/lib/stored-per-submit.ts) of saved db-floor scripts:
 * to compare what a submit stores before and after a change, keep the script db-floor wrote before
 * it (bench/results/db-floor.pgbench.sql and db-floor.pgbench-variables.json), run db-floor on the
 * new build, and count both. Each count has a freshly migrated database of its own (this checkout's
 * migrations); the scripts are counted in turn, round after round. Counts do not move with the load
 * on the box, so one script after the other compares fairly.
 *
 *   node scripts/run-ts.cjs bench/tools/stored-per-submit.ts <script.sql> <variables.json> [<script.sql> <variables.json> …] [--rounds 1] [--mode prepared|extended]
 *
 * `--mode`: pgbench's query mode, db-floor's `-M` (prepared whenever the gateway prepares a statement).
 * Environment as the bench: BENCH_ADMIN_DATABASE_URL. Needs pgbench; without pg_waldump (or the WAL
 * unreadable) it prints what it can count, with the reason.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { findBinary } from '../lib/binaries';
import { loadAverage } from '../lib/environment';
import { stopAllProcesses } from '../lib/processes';
import { countStoredPerSubmit, describeStoredPerSubmit, pgbenchReplay } from '../lib/stored-per-submit';

const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { rounds: { type: 'string', default: '1' }, mode: { type: 'string', default: 'prepared' } },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  const mode = values.mode;
  if (mode !== 'prepared' && mode !== 'extended') throw new Error(`--mode is prepared or extended, got ${mode}`);
  if (positionals.length === 0 || positionals.length % 2 !== 0) throw new Error('usage: stored-per-submit.ts <script.sql> <variables.json> [<script.sql> <variables.json> …] [--rounds N] [--mode prepared|extended]');
  const binary = findBinary('pgbench');
  if (!binary) throw new Error('pgbench is not installed (it ships with postgresql-client)');
  const scripts: Parameters<typeof pgbenchReplay>[1][] = [];
  for (let i = 0; i < positionals.length; i += 2) {
    scripts.push({ file: positionals[i], variables: JSON.parse(readFileSync(positionals[i + 1], 'utf8')) as Record<string, string>, mode });
  }
  for (let round = 1; round <= rounds; round++) {
    for (const script of scripts) {
      const stored = await countStoredPerSubmit(ADMIN_URL, pgbenchReplay(binary, script));
      console.log(`${script.file}, round ${round} (load average ${loadAverage()}):`);
      for (const figure of describeStoredPerSubmit(stored)) console.log(`  ${figure.label}: ${figure.value}`);
    }
  }
}

main().then(
  () => stopAllProcesses().then(() => process.exit(0)),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    void stopAllProcesses().then(() => process.exit(1));
  },
);
