/**
 * The catalogue the bench's gateway runs with: a temp copy of the demo catalogue
 * (contracts/catalogue) where
 * - every agency's rate limit is lifted (the agency-file schema's maximum, 1,000,000/s): the demo
 *   REST agency's default of 500/s per process capped the gateway scenarios at that rate and
 *   answered the rest 202 `rate_limited`. The bench measures Kiungo, not a politeness setting;
 *   the concurrency cap (bulkhead) stays as configured;
 * - NRB's manual-fallback replay rate is raised, so the `replay` scenario measures how fast Kiungo
 *   can drain a backlog, not the demo's polite 20/s.
 * `shedByOwnGuards` (bench/lib/answered.ts) checks after a run that no transaction was held back
 * by the gateway's own guards all the same.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './repo';

export const DEMO_CATALOGUE_DIR = path.join(REPO_ROOT, 'contracts', 'catalogue');

/** NRB's `replay.perSecond` in the bench catalogue (the agency-file schema's maximum). */
export const BENCH_REPLAY_PER_SECOND = 10_000;

/** Every agency's `resilience.rateLimit` in the bench catalogue (the agency-file schema's maximum). */
export const BENCH_RATE_LIMIT = Object.freeze({ perSecond: 1_000_000, burst: 1_000_000 });

export interface BenchCatalogue {
  dir: string;
  /** The DCI file-drop agency's folders (DCI_OUTBOX_DIR / DCI_INBOX_DIR of the gateway processes). */
  dciOutbox: string;
  dciInbox: string;
  /** The variables that point the gateway at this catalogue and these folders. */
  env: Record<string, string>;
  remove(): void;
}

interface AgencyFile {
  code: string;
  resilience?: Record<string, unknown>;
  replay?: Record<string, unknown>;
}

export function writeBenchCatalogue(): BenchCatalogue {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-bench-catalogue-'));
  cpSync(DEMO_CATALOGUE_DIR, dir, { recursive: true });
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name, 'agency.json');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const agency = JSON.parse(readFileSync(file, 'utf8')) as AgencyFile;
    agency.resilience = { ...agency.resilience, rateLimit: { ...BENCH_RATE_LIMIT } };
    if (agency.code === 'nrb') agency.replay = { ...agency.replay, perSecond: BENCH_REPLAY_PER_SECOND };
    writeFileSync(file, `${JSON.stringify(agency, null, 2)}\n`);
  }
  const dciOutbox = path.join(dir, '_spool', 'dci', 'outbox');
  const dciInbox = path.join(dir, '_spool', 'dci', 'inbox');
  mkdirSync(dciOutbox, { recursive: true });
  mkdirSync(dciInbox, { recursive: true });
  return {
    dir,
    dciOutbox,
    dciInbox,
    env: { KIUNGO_CATALOGUE_DIR: dir, DCI_OUTBOX_DIR: dciOutbox, DCI_INBOX_DIR: dciInbox },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
