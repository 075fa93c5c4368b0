/**
 * `npm run audit:verify-archive -- <archive file> [--keys <folder of published keys>] [--previous <archive file>]`
 * Checks an evidence archive with nothing but the file: no database, no server, no configuration.
 * With --keys, only those public keys are trusted (take them from GET /v1/audit/keys or the seal
 * folder's keys/); without, the archive's own keys are used and named, to be compared with the
 * published ones. With --previous, the archive must name that archive's digest as the one before it.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { verifyArchive, type ArchiveFinding, type ArchiveVerification } from '../../../core/audit/archive';
import { readKeyFolder } from '../../../core/signing/key-folder';
import { closingDigest } from './audit-archive';

export async function runVerifyArchive(args: readonly string[], out: (line: string) => void = console.log): Promise<ArchiveVerification> {
  const { values, positionals } = parseArgs({ args: [...args], options: { keys: { type: 'string' }, previous: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new Error('usage: npm run audit:verify-archive -- <archive file> [--keys <folder>] [--previous <archive file>]');
  const [file] = positionals;
  const trusted = values.keys ? readKeyFolder(values.keys) : undefined;
  const previousDigest = values.previous ? await closingDigest(values.previous) : undefined;
  const report = await verifyArchive(createInterface({ input: createReadStream(file), crlfDelay: Infinity }), { trusted, previousDigest });
  for (const finding of report.findings) out(describe(finding));
  if (report.untrustedKeys.length) out(`keys taken from the archive itself (compare with GET /v1/audit/keys): ${report.untrustedKeys.join(', ')}`);
  const span = report.header ? `seals ${report.header.fromSeal ?? 'genesis'} to ${report.header.toSeal}` : 'no header';
  out(`${report.ok ? 'OK' : `BROKEN: ${report.findings.length} finding(s)`} — ${file}: ${span}, ${report.seals} seals, ${report.events} events, digest ${report.digest ?? 'none'}`);
  return report;
}

function describe(finding: ArchiveFinding): string {
  const where = [
    finding.line !== undefined ? `line ${finding.line}` : undefined,
    finding.chain !== undefined ? `chain ${finding.chain}` : undefined,
    finding.position !== undefined ? `position ${finding.position}` : undefined,
    finding.entityType ? `${finding.entityType} ${finding.entityId}` : undefined,
  ].filter(Boolean);
  return `${where.length ? `${where.join(' ')}: ` : ''}${finding.reason}${finding.sealNo !== undefined ? ` (seal #${finding.sealNo})` : ''}${finding.detail ? ` — ${finding.detail}` : ''}`;
}

if (require.main === module) {
  runVerifyArchive(process.argv.slice(2))
    .then((report) => {
      process.exitCode = report.ok ? 0 : 1;
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 2;
    });
}
