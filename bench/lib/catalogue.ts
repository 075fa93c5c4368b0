/**
 * The catalogue the bench's gateway runs with: a temp copy of the demo catalogue
 * (contracts/catalogue) where NRB's manual-fallback replay rate is raised, so the `replay`
 * scenario measures how fast Kiungo can drain a backlog, not the demo's polite 20/s.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './repo';

export const DEMO_CATALOGUE_DIR = path.join(REPO_ROOT, 'contracts', 'catalogue');

/** NRB's `replay.perSecond` in the bench catalogue (the agency-file schema's maximum). */
export const BENCH_REPLAY_PER_SECOND = 10_000;

export interface BenchCatalogue {
  dir: string;
  /** The DCI file-drop agency's folders (DCI_OUTBOX_DIR / DCI_INBOX_DIR of the gateway processes). */
  dciOutbox: string;
  dciInbox: string;
  /** The variables that point the gateway at this catalogue and these folders. */
  env: Record<string, string>;
  remove(): void;
}

export function writeBenchCatalogue(): BenchCatalogue {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-bench-catalogue-'));
  cpSync(DEMO_CATALOGUE_DIR, dir, { recursive: true });
  const nrbFile = path.join(dir, 'nrb', 'agency.json');
  const nrb = JSON.parse(readFileSync(nrbFile, 'utf8')) as { replay?: Record<string, unknown> };
  nrb.replay = { ...nrb.replay, perSecond: BENCH_REPLAY_PER_SECOND };
  writeFileSync(nrbFile, `${JSON.stringify(nrb, null, 2)}\n`);
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
