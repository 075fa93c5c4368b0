import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { TokenVerifier } from '../auth/token-verifier';
import { loadConfig } from '../config/env.schema';
import { sameClockEnv } from '../../../test/factories/clock';
import { runTokenCli } from './token';

async function run(argv: string[], env: Record<string, string>) {
  let out = '';
  let err = '';
  const code = await runTokenCli(argv, env, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('npm run token', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kiungo-cli-'));
  const env = { KIUNGO_DATA_DIR: dataDir };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints only a token the server accepts, with the roles, centre, agency and subject asked for', async () => {
    const { code, out, err } = await run(['--role', 'officer', '--role', 'personal-data', '--centre', 'NRB-GPO', '--agency', 'nrb', '--subject', 'jane', '--ttl', '8h'], env);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const principal = await TokenVerifier.fromConfig(loadConfig(env)).verify(out.trim());
    expect(principal).toEqual({ subject: 'jane', roles: ['officer', 'personal-data'], centre: 'NRB-GPO', agency: 'nrb' });
    const exp = JSON.parse(Buffer.from(out.split('.')[1], 'base64url').toString()).exp;
    expect(exp - Math.floor(Date.now() / 1000)).toBeGreaterThan(8 * 3600 - 60);
  });

  it('exits 2 listing the roles when a role is unknown or missing', async () => {
    const unknown = await run(['--role', 'superuser'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toBe('');
    expect(unknown.err).toContain('unknown role "superuser"; roles are: channel, officer, manager, operator, auditor, agency, admin, personal-data');
    expect((await run([], env)).code).toBe(2);
    expect((await run(['--role', 'officer', '--ttl', 'forever'], env)).code).toBe(2);
    expect((await run(['--role', 'officer', '--colour', 'red'], env)).code).toBe(2);
  });

  it('refuses to mint when the server trusts an OIDC issuer instead', async () => {
    const res = await run(['--role', 'officer'], { ...env, OIDC_ISSUER_URL: 'https://sso.example/realms/kiungo' });
    expect(res.code).toBe(2);
    expect(res.err).toContain('OIDC_ISSUER_URL is set');
  });

  it('runs as a command on its own, through the npm script runner', async () => {
    const root = resolve(__dirname, '../../..');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['scripts/run-ts.cjs', 'gateway/src/cli/token.ts', '--role', 'auditor'],
      { cwd: root, env: { PATH: process.env.PATH ?? '', KIUNGO_DATA_DIR: dataDir, ...sameClockEnv() } },
    );
    expect(await TokenVerifier.fromConfig(loadConfig(env)).verify(stdout.trim())).toMatchObject({ roles: ['auditor'] });
  });
});
