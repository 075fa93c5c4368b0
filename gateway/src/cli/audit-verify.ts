/**
 * `npm run audit:verify [-- --seals <dir>] [--json]`
 * Verifies the audit log of DATABASE_URL (or the embedded database): every chain, every seal
 * (those in the database and, with --seals, a folder of seals kept outside it, with the public keys
 * in its keys/), and every transaction row against its events. Prints each finding on its own line,
 * named by chain, position, entity and reason; exits with 1 when there is any.
 */
import { parseArgs } from 'node:util';
import { AuditLog } from '../../../core/audit/audit-log';
import type { AuditFinding } from '../../../core/audit/audit-finding';
import { PublishedKeys } from '../../../core/signing/published-keys';
import { SealFolder } from '../../../core/audit/seal-folder';
import type { AuditVerification, OutsideSeals } from '../../../core/audit/verify-audit';
import { StatementSigner } from '../../../core/signing/signed-statement';
import { createAuditVerifier } from '../audit/audit-verifier.factory';
import { loadConfig } from '../config/env.schema';
import { withCommandDatabase } from './database';

export interface CommandIo {
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
}

export async function runAuditVerify(args: readonly string[], { env = process.env, out = console.log }: CommandIo = {}): Promise<AuditVerification> {
  const { values } = parseArgs({ args: [...args], options: { seals: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
  const config = loadConfig(env);
  let outside: OutsideSeals | undefined;
  if (values.seals) {
    const folder = new SealFolder(values.seals);
    outside = { source: values.seals, ...folder.read(), keys: folder.keys() };
    out(`seals held outside: ${outside.seals.length} in ${values.seals}, ${outside.keys?.length ?? 0} key(s)`);
  }
  const started = Date.now();
  const report = await withCommandDatabase(config, 'audit-verify', async (pool) => {
    const signer = config.audit.sealKey === undefined ? null : StatementSigner.fromText(config.audit.sealKey);
    const keys = new PublishedKeys(signer, new SealFolder(config.audit.sealDir));
    return createAuditVerifier(pool, await AuditLog.open(pool), keys, config.audit.verifyWorkers).verify(outside);
  });
  const seconds = (Date.now() - started) / 1000;
  if (values.json) {
    out(JSON.stringify(report, null, 2));
    return report;
  }
  for (const finding of report.findings) out(describeFinding(finding));
  const rows = Object.entries(report.rowsChecked).map(([table, n]) => `${n} ${table}`).join(', ');
  const last = report.seals.last ? `last seal #${report.seals.last.sealNo} at ${report.seals.last.sealedAt}` : 'no seal yet';
  out(
    `${report.ok ? 'OK' : `BROKEN: ${report.findings.length} finding(s)`} — ${report.eventsChecked} events in ${report.shards} chains, ` +
      `${report.seals.checked} seals (${last}; ${report.unsealedEvents} events after it), ${rows} checked in ${seconds.toFixed(1)} s`,
  );
  return report;
}

/** `chain 7 position 1042 transaction 3f…: sealed_hash_mismatch (seal #12) — detail` */
export function describeFinding(finding: AuditFinding): string {
  const where = [
    finding.shard !== undefined ? `chain ${finding.shard}` : undefined,
    finding.seq !== undefined ? `position ${finding.seq}` : undefined,
    finding.entityType ? `${finding.entityType} ${finding.entityId}` : undefined,
  ].filter(Boolean);
  const seal = finding.sealNo !== undefined ? ` (seal #${finding.sealNo})` : '';
  return `${where.length ? `${where.join(' ')}: ` : ''}${finding.reason}${seal}${finding.detail ? ` — ${finding.detail}` : ''}`;
}

if (require.main === module) {
  runAuditVerify(process.argv.slice(2))
    .then((report) => {
      process.exitCode = report.ok ? 0 : 1;
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 2;
    });
}
