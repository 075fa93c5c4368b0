import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StatementSigner } from '../../../core/signing/signed-statement';
import { readOrCreateSecretFile } from './file-once';

/** What reading a signing key needs of env.schema's reader. */
export interface SigningKeyEnvReader {
  raw(name: string): string | undefined;
  fail(variable: string, expected: string): void;
}

export type SigningKeySource = 'env' | 'file' | 'data-dir' | 'none';

/** Where one Ed25519 signing key may come from: a variable holding it, a variable naming a file, or (embedded) a generated file. */
export interface SigningKeyVariables {
  /** e.g. KIUNGO_SEAL_KEY: PKCS#8 PEM or base64 of its DER. */
  inline: string;
  /** e.g. KIUNGO_SEAL_KEY_FILE: a file holding it (a mounted secret). */
  file: string;
  /** The file embedded mode generates under KIUNGO_DATA_DIR, e.g. `seal-key.pem`. */
  generated: string;
}

/**
 * One Ed25519 signing key (the audit seals', the receipts'): from the environment, from a file, or
 * generated once into the data folder in embedded mode. Production without either: no key (`none`).
 * A value that is not an Ed25519 private key fails start-up naming the variable, never the value.
 */
export function readSigningKey(read: SigningKeyEnvReader, production: boolean, dataDir: string, names: SigningKeyVariables): { key?: string; source: SigningKeySource } {
  const inline = read.raw(names.inline);
  const file = read.raw(names.file);
  if (inline !== undefined && file !== undefined) {
    read.fail(names.file, `not together with ${names.inline}: set one of the two`);
    return { source: 'none' };
  }
  let text: string | undefined;
  let source: SigningKeySource = 'none';
  if (inline !== undefined) {
    text = inline;
    source = 'env';
  } else if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
      source = 'file';
    } catch (error) {
      read.fail(names.file, `a readable file, got ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      return { source: 'none' };
    }
  } else if (!production) {
    text = readOrCreateSecretFile(join(dataDir, names.generated), () =>
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ).content;
    source = 'data-dir';
  }
  if (text === undefined) return { source: 'none' };
  try {
    StatementSigner.fromText(text);
  } catch {
    read.fail(source === 'file' ? names.file : names.inline, 'an Ed25519 private key, PKCS#8 PEM or base64 DER (value not shown; make one with `openssl genpkey -algorithm ed25519`)');
    return { source: 'none' };
  }
  return { key: text, source };
}
