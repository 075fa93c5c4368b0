import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadConfig, parseRole } from './env.schema';

const KEY = Buffer.alloc(32, 7).toString('base64');

function problemsOf(env: Record<string, string>): { variable: string; expected: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kiungo-config-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('gives embedded defaults with no configuration and generates the data key once (0600)', () => {
    const config = loadConfig({ KIUNGO_DATA_DIR: dataDir });
    expect(config).toMatchObject({
      mode: 'embedded',
      port: 8080,
      host: '127.0.0.1',
      dbPoolMax: 10,
      dbConnectionLifetimeSeconds: 1800,
      oidcAudience: 'kiungo',
      dataDir,
      logLevel: 'info',
      bodyLimitBytes: 1_048_576,
      sweepIntervalMs: 5000,
      dataKeySource: 'data-dir',
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.catalogueDir).toBe(join(process.cwd(), 'contracts/catalogue'));
    expect(config.dataKey).toHaveLength(32);
    expect(statSync(join(dataDir, 'data-key')).mode & 0o777).toBe(0o600);
    expect(loadConfig({ KIUNGO_DATA_DIR: dataDir }).dataKey.equals(config.dataKey)).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('switches to production with DATABASE_URL: all interfaces, key from the environment', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://kiungo:pw@db:5432/kiungo',
      OIDC_ISSUER_URL: 'https://id.example.go.ke/realms/huduma',
      KIUNGO_DATA_KEY: KEY,
      PORT: '',
      LOG_LEVEL: 'WARN',
    });
    expect(config).toMatchObject({ mode: 'production', host: '0.0.0.0', port: 8080, logLevel: 'warn', dataKeySource: 'env' });
    expect(config.dataKey.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(JSON.stringify(describeConfig(config))).not.toMatch(/pw@|BwcH/);
  });

  it('names every bad variable and what it expects', () => {
    const problems = problemsOf({
      PORT: '80a',
      DB_POOL_MAX: '0',
      LOG_LEVEL: 'loud',
      OIDC_ISSUER_URL: 'keycloak:8080',
      KIUNGO_BODY_LIMIT_BYTES: '-5',
      KIUNGO_SWEEP_INTERVAL_MS: '1.5',
      KIUNGO_DATA_DIR: dataDir,
    });
    expect(problems.map((p) => p.variable)).toEqual([
      'LOG_LEVEL',
      'PORT',
      'DB_POOL_MAX',
      'OIDC_ISSUER_URL',
      'KIUNGO_BODY_LIMIT_BYTES',
      'KIUNGO_SWEEP_INTERVAL_MS',
    ]);
    expect(problems.find((p) => p.variable === 'PORT')?.expected).toBe('an integer from 0 to 65535, got "80a"');
    expect(() => loadConfig({ PORT: '99999', KIUNGO_DATA_DIR: dataDir })).toThrow(/PORT: an integer from 0 to 65535/);
  });

  it('requires KIUNGO_DATA_KEY in production and never prints secret values', () => {
    const secretUrl = 'mysql://admin:hunter2@db/kiungo';
    let message = '';
    try {
      loadConfig({ DATABASE_URL: secretUrl, REDIS_URL: 'http://:s3cret@redis' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL: a URL starting with postgres:\/\/ or postgresql:\/\//);
    expect(message).toMatch(/REDIS_URL/);
    expect(message).toMatch(/KIUNGO_DATA_KEY: required when DATABASE_URL is set/);
    expect(message).not.toMatch(/hunter2|s3cret/);

    const badKey = 'c2hvcnQta2V5LXRoYXQtaXMtbm90LTMyLWJ5dGVz';
    const problems = problemsOf({ DATABASE_URL: 'postgres://db/kiungo', KIUNGO_DEV_TOKENS: '1', KIUNGO_DATA_KEY: badKey });
    expect(problems).toEqual([{ variable: 'KIUNGO_DATA_KEY', expected: expect.stringContaining('32 bytes') }]);
    expect(JSON.stringify(problems)).not.toContain(badKey);
  });

  it('refuses development tokens in production unless told to accept them', () => {
    const production = { DATABASE_URL: 'postgres://db/kiungo', KIUNGO_DATA_KEY: KEY };
    expect(problemsOf(production)).toEqual([{ variable: 'OIDC_ISSUER_URL', expected: expect.stringContaining('required when DATABASE_URL is set') }]);
    expect(loadConfig({ ...production, KIUNGO_DEV_TOKENS: '1' }).oidcIssuerUrl).toBeUndefined();
  });

  it('reports a damaged embedded data key file instead of replacing it', () => {
    const damagedDir = mkdtempSync(join(tmpdir(), 'kiungo-config-damaged-'));
    try {
      writeFileSync(join(damagedDir, 'data-key'), 'not a key\n');
      expect(() => loadConfig({ KIUNGO_DATA_DIR: damagedDir })).toThrow(/damaged/);
      expect(readFileSync(join(damagedDir, 'data-key'), 'utf8')).toBe('not a key\n');
    } finally {
      rmSync(damagedDir, { recursive: true, force: true });
    }
  });

  it('reads the metrics port (9464, a number, or off) and the retry queue\'s Redis prefix', () => {
    expect(loadConfig({ KIUNGO_DATA_DIR: dataDir })).toMatchObject({ metricsPort: 9464, queuePrefix: undefined });
    expect(loadConfig({ KIUNGO_DATA_DIR: dataDir, KIUNGO_METRICS_PORT: '0', KIUNGO_QUEUE_PREFIX: 'kiungo-b' })).toMatchObject({ metricsPort: 0, queuePrefix: 'kiungo-b' });
    expect(loadConfig({ KIUNGO_DATA_DIR: dataDir, KIUNGO_METRICS_PORT: 'off' }).metricsPort).toBeNull();
    expect(problemsOf({ KIUNGO_DATA_DIR: dataDir, KIUNGO_METRICS_PORT: '70000', KIUNGO_QUEUE_PREFIX: 'a:b' }).map((p) => p.variable)).toEqual(['KIUNGO_METRICS_PORT', 'KIUNGO_QUEUE_PREFIX']);
  });
});

describe('parseRole', () => {
  it('defaults to all and reads a positional or --role argument', () => {
    expect(parseRole([])).toBe('all');
    expect(parseRole(['api'])).toBe('api');
    expect(parseRole(['--role=worker'])).toBe('worker');
    expect(parseRole(['--role', 'all'])).toBe('all');
  });

  it('refuses an unknown role, listing the known ones', () => {
    expect(() => parseRole(['scheduler'])).toThrow(ConfigError);
    expect(() => parseRole(['scheduler'])).toThrow(/role: one of all, api, worker, got "scheduler"/);
  });
});
