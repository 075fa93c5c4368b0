import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StatementSigner } from '../../../core/signing/signed-statement';
import type { AuditConfig } from './app-config';
import { readOrCreateSecretFile } from './file-once';

/** What audit-config needs of env.schema's reader. */
export interface AuditEnvReader {
  raw(name: string): string | undefined;
  integer(name: string, fallback: number, min: number, max: number): number;
  fail(variable: string, expected: string): void;
}

const HOUR_MS = 3_600_000;

/**
 * The audit seals' configuration (README "Audit: seals and keys"):
 *   KIUNGO_SEAL_KEY          the Ed25519 signing key, PKCS#8 PEM or base64 of its DER (secret);
 *   KIUNGO_SEAL_KEY_FILE     or a file holding it (a mounted secret); one of the two in production,
 *                            else sealing is off; embedded mode generates KIUNGO_DATA_DIR/seal-key.pem;
 *   KIUNGO_SEAL_DIR          the folder outside the database each seal is written to (default KIUNGO_DATA_DIR/seals);
 *   KIUNGO_SEAL_INTERVAL_MS  how often the worker seals (default one hour).
 */
export function readAuditConfig(read: AuditEnvReader, production: boolean, dataDir: string): AuditConfig {
  const sealDir = resolve(read.raw('KIUNGO_SEAL_DIR') ?? join(dataDir, 'seals'));
  const sealIntervalMs = read.integer('KIUNGO_SEAL_INTERVAL_MS', HOUR_MS, 1000, 7 * 24 * HOUR_MS);
  const inline = read.raw('KIUNGO_SEAL_KEY');
  const file = read.raw('KIUNGO_SEAL_KEY_FILE');
  if (inline !== undefined && file !== undefined) {
    read.fail('KIUNGO_SEAL_KEY_FILE', 'not together with KIUNGO_SEAL_KEY: set one of the two');
    return { sealKeySource: 'none', sealDir, sealIntervalMs };
  }
  let text: string | undefined;
  let source: AuditConfig['sealKeySource'] = 'none';
  if (inline !== undefined) {
    text = inline;
    source = 'env';
  } else if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
      source = 'file';
    } catch (error) {
      read.fail('KIUNGO_SEAL_KEY_FILE', `a readable file, got ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      return { sealKeySource: 'none', sealDir, sealIntervalMs };
    }
  } else if (!production) {
    text = readOrCreateSecretFile(join(dataDir, 'seal-key.pem'), () =>
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ).content;
    source = 'data-dir';
  }
  if (text === undefined) return { sealKeySource: 'none', sealDir, sealIntervalMs };
  try {
    StatementSigner.fromText(text);
  } catch {
    const variable = source === 'file' ? 'KIUNGO_SEAL_KEY_FILE' : 'KIUNGO_SEAL_KEY';
    read.fail(variable, 'an Ed25519 private key, PKCS#8 PEM or base64 DER (value not shown; make one with `openssl genpkey -algorithm ed25519`)');
    return { sealKeySource: 'none', sealDir, sealIntervalMs };
  }
  return { sealKey: text, sealKeySource: source, sealDir, sealIntervalMs };
}
