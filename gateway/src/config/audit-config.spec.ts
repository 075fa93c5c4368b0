import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatementSigner } from '../../../core/signing/signed-statement';
import { ConfigError, loadConfig } from './env.schema';

describe('audit seal configuration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kiungo-seal-config-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const production = { DATABASE_URL: 'postgres://k@db/k', KIUNGO_DEV_TOKENS: '1', KIUNGO_DATA_KEY: Buffer.alloc(32, 3).toString('base64'), KIUNGO_DATA_DIR: dataDir };
  const pem = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
      throw error;
    }
    return [];
  };

  it('generates a development key once in embedded mode, hourly, with the seal folder in the data folder', () => {
    const config = loadConfig({ KIUNGO_DATA_DIR: dataDir });
    expect(config.audit).toMatchObject({ sealKeySource: 'data-dir', sealDir: join(dataDir, 'seals'), sealIntervalMs: 3_600_000 });
    expect(statSync(join(dataDir, 'seal-key.pem')).mode & 0o777).toBe(0o600);
    const again = loadConfig({ KIUNGO_DATA_DIR: dataDir });
    expect(StatementSigner.fromText(again.audit.sealKey!).keyId).toBe(StatementSigner.fromText(config.audit.sealKey!).keyId);
  });

  it('takes the key from the environment or a file in production, and seals nothing without one', () => {
    expect(loadConfig(production).audit).toEqual({ sealKeySource: 'none', sealDir: join(dataDir, 'seals'), sealIntervalMs: 3_600_000, verifyWorkers: 2 });
    const key = pem();
    expect(loadConfig({ ...production, KIUNGO_SEAL_KEY: key, KIUNGO_SEAL_INTERVAL_MS: '60000' }).audit).toMatchObject({ sealKey: key.trim(), sealKeySource: 'env', sealIntervalMs: 60_000 });
    const file = join(dataDir, 'mounted-seal-key.pem');
    writeFileSync(file, key);
    expect(loadConfig({ ...production, KIUNGO_SEAL_KEY_FILE: file, KIUNGO_SEAL_DIR: '/var/lib/kiungo/seals' }).audit).toMatchObject({ sealKeySource: 'file', sealDir: '/var/lib/kiungo/seals' });
  });

  it('refuses a key that is not Ed25519, a missing file, both variables, and an interval out of range', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(problems({ ...production, KIUNGO_SEAL_KEY: rsa })).toEqual(['KIUNGO_SEAL_KEY']);
    expect(problems({ ...production, KIUNGO_SEAL_KEY: 'not a key' })).toEqual(['KIUNGO_SEAL_KEY']);
    expect(problems({ ...production, KIUNGO_SEAL_KEY_FILE: join(dataDir, 'nowhere.pem') })).toEqual(['KIUNGO_SEAL_KEY_FILE']);
    expect(problems({ ...production, KIUNGO_SEAL_KEY: pem(), KIUNGO_SEAL_KEY_FILE: '/x' })).toEqual(['KIUNGO_SEAL_KEY_FILE']);
    expect(problems({ ...production, KIUNGO_SEAL_INTERVAL_MS: '10' })).toEqual(['KIUNGO_SEAL_INTERVAL_MS']);
  });

  it('splits verify between the threads asked for, 1 to 16', () => {
    expect(loadConfig({ ...production, KIUNGO_AUDIT_VERIFY_WORKERS: '1' }).audit.verifyWorkers).toBe(1);
    expect(loadConfig({ ...production, KIUNGO_AUDIT_VERIFY_WORKERS: '4' }).audit.verifyWorkers).toBe(4);
    expect(problems({ ...production, KIUNGO_AUDIT_VERIFY_WORKERS: '0' })).toEqual(['KIUNGO_AUDIT_VERIFY_WORKERS']);
    expect(problems({ ...production, KIUNGO_AUDIT_VERIFY_WORKERS: '17' })).toEqual(['KIUNGO_AUDIT_VERIFY_WORKERS']);
  });
});
