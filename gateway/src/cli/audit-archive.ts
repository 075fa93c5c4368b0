/**
 * `npm run audit:archive -- --from <ISO time> --to <ISO time> [--dir <folder>]`
 * Writes one evidence archive (core/audit/archive.ts) covering the seals made between the two
 * times: the events of every chain in that span, the seals, the public keys. Named
 * `kiungo-audit-<from seal>-<to seal>-<digest>.jsonl`, chained to the newest archive already in
 * the folder (default KIUNGO_DATA_DIR/archives). Verify it anywhere with npm run audit:verify-archive.
 */
import { createReadStream, createWriteStream, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { archiveFileName } from '../../../core/audit/archive';
import { archiveLines, spanBetween } from '../../../core/audit/archive-source';
import { PublishedKeys } from '../../../core/signing/published-keys';
import { SealFolder } from '../../../core/audit/seal-folder';
import { SealStore } from '../../../core/audit/seal-store';
import { StatementSigner } from '../../../core/signing/signed-statement';
import { loadConfig } from '../config/env.schema';
import type { CommandIo } from './audit-verify';
import { withCommandDatabase } from './database';

const NAME = /^kiungo-audit-(\d{10})-(\d{10})-[0-9a-f]{16}\.jsonl$/;

export async function runAuditArchive(args: readonly string[], { env = process.env, out = console.log }: CommandIo = {}): Promise<{ file: string; digest: string } | null> {
  const { values } = parseArgs({ args: [...args], options: { from: { type: 'string' }, to: { type: 'string' }, dir: { type: 'string' } }, strict: true });
  const time = (name: string, text: string | undefined): Date => {
    const value = new Date(text ?? '');
    if (text === undefined || Number.isNaN(value.getTime())) throw new Error(`--${name} needs an ISO 8601 date and time (e.g. 2026-11-01T00:00:00Z)`);
    return value;
  };
  const [from, to] = [time('from', values.from), time('to', values.to)];
  const config = loadConfig(env);
  const dir = values.dir ?? join(config.dataDir, 'archives');
  mkdirSync(dir, { recursive: true });
  const previous = await newestArchive(dir);

  return withCommandDatabase(config, 'audit-archive', async (pool) => {
    const span = await spanBetween(pool, new SealStore(), from, to);
    if (!span) {
      out(`No seal was made between ${from.toISOString()} and ${to.toISOString()}: nothing to archive.`);
      return null;
    }
    const signer = config.audit.sealKey === undefined ? null : StatementSigner.fromText(config.audit.sealKey);
    const keys = new PublishedKeys(signer, new SealFolder(config.audit.sealDir)).list().map(({ active: _active, ...key }) => key);
    const result: { digest?: string } = {};
    const temporary = join(dir, `.archive-${process.pid}.tmp`);
    await pipeline(Readable.from(archiveLines(pool, span, keys, { previousArchive: previous?.digest ?? null, createdAt: new Date() }, result)), createWriteStream(temporary));
    const file = join(dir, archiveFileName({ fromSeal: span.from?.statement.sealNo ?? null, toSeal: span.to.statement.sealNo }, result.digest!));
    renameSync(temporary, file);
    out(`${file}: seals ${span.from?.statement.sealNo ?? 'genesis'} to ${span.to.statement.sealNo}, digest ${result.digest}${previous ? `, after ${previous.file}` : ''}`);
    return { file, digest: result.digest! };
  });
}

/** The archive of the folder that reaches the highest seal, and its closing digest. */
async function newestArchive(dir: string): Promise<{ file: string; digest: string } | undefined> {
  const newest = readdirSync(dir)
    .filter((name) => NAME.test(name))
    .sort((a, b) => Number(NAME.exec(a)![2]) - Number(NAME.exec(b)![2]))
    .pop();
  if (!newest) return undefined;
  const file = join(dir, newest);
  return { file, digest: await closingDigest(file) };
}

export async function closingDigest(file: string): Promise<string> {
  let last = '';
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line !== '') last = line;
  const end = JSON.parse(last) as { kind?: string; digest?: string };
  if (end.kind !== 'end' || typeof end.digest !== 'string') throw new Error(`${file} is not a closed archive`);
  return end.digest;
}

if (require.main === module) {
  runAuditArchive(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
