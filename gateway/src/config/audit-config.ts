import { join, resolve } from 'node:path';
import { DEFAULT_VERIFY_WORKERS } from '../../../core/audit/audit-log';
import type { AuditConfig } from './app-config';
import { readSigningKey, type SigningKeyEnvReader } from './signing-key-config';

/** What audit-config needs of env.schema's reader. */
export interface AuditEnvReader extends SigningKeyEnvReader {
  integer(name: string, fallback: number, min: number, max: number): number;
}

const HOUR_MS = 3_600_000;

/**
 * The audit seals' configuration (README "Audit: seals and keys"):
 *   KIUNGO_SEAL_KEY          the Ed25519 signing key, PKCS#8 PEM or base64 of its DER (secret);
 *   KIUNGO_SEAL_KEY_FILE     or a file holding it (a mounted secret); one of the two in production,
 *                            else sealing is off; embedded mode generates KIUNGO_DATA_DIR/seal-key.pem;
 *   KIUNGO_SEAL_DIR          the folder outside the database each seal is written to (default KIUNGO_DATA_DIR/seals);
 *   KIUNGO_SEAL_INTERVAL_MS  how often the worker seals (default one hour);
 *   KIUNGO_AUDIT_VERIFY_WORKERS  threads verify splits the chains between, 1–16 (default 2; 1: the
 *                            calling thread walks them all). The embedded database always uses one.
 */
export function readAuditConfig(read: AuditEnvReader, production: boolean, dataDir: string): AuditConfig {
  const sealDir = resolve(read.raw('KIUNGO_SEAL_DIR') ?? join(dataDir, 'seals'));
  const sealIntervalMs = read.integer('KIUNGO_SEAL_INTERVAL_MS', HOUR_MS, 1000, 7 * 24 * HOUR_MS);
  const verifyWorkers = read.integer('KIUNGO_AUDIT_VERIFY_WORKERS', DEFAULT_VERIFY_WORKERS, 1, 16);
  const { key, source } = readSigningKey(read, production, dataDir, { inline: 'KIUNGO_SEAL_KEY', file: 'KIUNGO_SEAL_KEY_FILE', generated: 'seal-key.pem' });
  const common = { sealKeySource: source, sealDir, sealIntervalMs, verifyWorkers };
  return key === undefined ? common : { sealKey: key, ...common };
}
