import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeycloakTestRealm } from '../../../test/factories/keycloak';
import { loadConfig } from '../config/env.schema';
import { createRootLogger } from '../logging/logger';
import { PlatformModule, createHttpApp } from '../platform';
import { Can, CurrentPrincipal, type Principal } from '.';
import { JWKS_MAX_AGE_MS, UNKNOWN_KID_REFETCH_INTERVAL_MS } from './oidc-key-source';

@Controller('whoami')
class WhoAmIController {
  @Get()
  whoami(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get('agency')
  @Can('audit.read')
  agency(@CurrentPrincipal() principal: Principal): { agency?: string } {
    return { agency: principal.agency };
  }
}

/**
 * The gateway against tokens shaped exactly like Keycloak 26's, whose keys come from a real JWKS
 * endpoint (test/factories/keycloak.ts), over HTTP through the global AuthGuard.
 */
describe('Keycloak 26 access tokens over HTTP', () => {
  let realm: KeycloakTestRealm;
  let app: NestFastifyApplication;
  const dataDir = mkdtempSync(join(tmpdir(), 'kiungo-keycloak-'));

  beforeAll(async () => {
    realm = await KeycloakTestRealm.start('kiungo');
    const config = loadConfig({ KIUNGO_DATA_DIR: dataDir, OIDC_ISSUER_URL: `${realm.issuer}/` });
    @Module({ imports: [PlatformModule.forRoot(config, { logger: createRootLogger('silent') })], controllers: [WhoAmIController] })
    class KeycloakTestModule {}
    app = await createHttpApp(KeycloakTestModule, config);
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
    await realm.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(() => jest.restoreAllMocks());

  const get = (url: string, token: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  /** Asserts the 401 problem+json every refused token gets, and returns its problem type suffix. */
  async function refused(token: string): Promise<string> {
    const res = await get('/whoami', token);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    const problem = res.json();
    expect(problem).toMatchObject({ status: 401, title: expect.any(String), detail: expect.any(String) });
    return String(problem.type).replace('https://kiungo.dev/problems/', '');
  }

  const officer = (options: Parameters<KeycloakTestRealm['userToken']>[1] = {}) =>
    realm.userToken(
      { username: 'officer.nrb-gpo', client: 'kiungo-counter', realmRoles: ['officer'], mapped: { centre: 'NRB-GPO' } },
      options,
    );

  it('reads an officer signed in at the counter app: realm roles, centre, name and azp', async () => {
    const res = await get('/whoami', officer());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      subject: expect.stringMatching(/^[0-9a-f-]{36}$/),
      roles: ['officer'],
      centre: 'NRB-GPO',
      name: 'Officer Nrb gpo',
      client: 'kiungo-counter',
    });
  });

  it('reads an agency service account: the agency claim, the client and the role from the client credentials token', async () => {
    const token = realm.serviceAccountToken({ client: 'agency-nrb', realmRoles: ['agency'], mapped: { agency: 'nrb' } });
    const whoami = await get('/whoami', token);
    expect(whoami.json()).toEqual({
      subject: expect.any(String),
      roles: ['agency'],
      agency: 'nrb',
      name: 'service-account-agency-nrb',
      client: 'agency-nrb',
    });
    expect((await get('/whoami/agency', token)).json()).toEqual({ agency: 'nrb' });
  });

  it('counts client roles of the kiungo client only, never those of the calling client', async () => {
    const token = realm.serviceAccountToken({
      client: 'kiungo-portal',
      realmRoles: ['channel'],
      clientRoles: { kiungo: ['personal-data'], 'kiungo-portal': ['admin', 'agency'] },
    });
    expect((await get('/whoami', token)).json()).toMatchObject({ roles: ['channel', 'personal-data'], client: 'kiungo-portal' });
    expect((await get('/whoami/agency', token)).statusCode).toBe(403);
  });

  it("refuses Keycloak's default audience (account only): the realm needs the kiungo audience mapper", async () => {
    expect(await refused(officer({ override: { aud: 'account' } }))).toBe('invalid-token');
    const res = await get('/whoami', officer({ override: { aud: 'account' } }));
    expect(res.json().detail).toContain('"aud"');
  });

  it('refuses a token from another realm of the same Keycloak, and one without the realm path', async () => {
    expect(await refused(officer({ override: { iss: `${realm.base}/realms/master` } }))).toBe('invalid-token');
    expect(await refused(officer({ override: { iss: realm.base } }))).toBe('invalid-token');
  });

  it('refuses an expired token as token-expired', async () => {
    expect(await refused(officer({ expiresIn: -120 }))).toBe('token-expired');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const [, payload] = officer().split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(await refused(`${header}.${payload}.`)).toBe('invalid-token');
  });

  it('refuses HS256 signed with the published public key as the HMAC secret', async () => {
    const { createHmac } = await import('node:crypto');
    const [, payload] = officer().split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: realm.activeKey.kid })).toString('base64url');
    const pem = realm.activeKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const mac = createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url');
    expect(await refused(`${header}.${payload}.${mac}`)).toBe('invalid-token');
  });

  it('refuses a tampered token: roles raised after signing', async () => {
    const [header, payload, signature] = officer().split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims.realm_access.roles.push('admin');
    expect(await refused(`${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`)).toBe('invalid-token');
  });

  it('refuses an ID token even when it names the kiungo audience', async () => {
    expect(await refused(officer({ override: { typ: 'ID', aud: 'kiungo' } }))).toBe('invalid-token');
  });

  it('picks up a rotated key (new kid) without a restart, keeps the passive old key, and drops a retired one', async () => {
    const first = officer();
    expect((await get('/whoami', first)).statusCode).toBe(200);
    const fetchesBefore = realm.requests.jwks;
    const oldKey = realm.activeKey;

    const newKey = realm.rotateKey();
    // Past the refetch interval since the last JWKS fetch, an unknown kid makes the gateway fetch again.
    const realNow = Date.now.bind(Date);
    let skewMs = UNKNOWN_KID_REFETCH_INTERVAL_MS + 1000;
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + skewMs);

    const rotated = officer();
    expect(JSON.parse(Buffer.from(rotated.split('.')[0], 'base64url').toString()).kid).toBe(newKey.kid);
    expect((await get('/whoami', rotated)).statusCode).toBe(200);
    expect(realm.requests.jwks).toBe(fetchesBefore + 1);
    // The old key is still published (passive): tokens it signed before the rotation stay valid.
    expect((await get('/whoami', officer({ key: oldKey }))).statusCode).toBe(200);
    expect(realm.requests.jwks).toBe(fetchesBefore + 1);

    // Retired in Keycloak: once the cached key set has aged out, the old key's tokens are refused.
    realm.retireKey(oldKey);
    skewMs += JWKS_MAX_AGE_MS;
    expect(await refused(officer({ key: oldKey }))).toBe('invalid-token');
    expect((await get('/whoami', officer())).statusCode).toBe(200);
  });

  it('accepts the first token of a key published passive before it became active, with no extra fetch', async () => {
    const staged = realm.addPassiveKey();
    // The runbook's rotation: publish passive, wait for every replica's key set to age out, then activate.
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 3 * JWKS_MAX_AGE_MS);
    expect((await get('/whoami', officer())).statusCode).toBe(200);
    const fetches = realm.requests.jwks;
    realm.activate(staged);
    expect((await get('/whoami', officer())).statusCode).toBe(200);
    expect(realm.requests.jwks).toBe(fetches);
  });
});
