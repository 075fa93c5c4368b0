import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '../config/env.schema';
import { createRootLogger } from '../logging/logger';
import { PlatformModule, createHttpApp } from '../platform';
import { Can, CurrentPrincipal, Public, mintDevToken, type Principal } from '.';

@Controller('guarded')
class GuardedController {
  @Get('any')
  any(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get('managers')
  @Can('agency.operate')
  managers(@CurrentPrincipal() principal: Principal): { subject: string } {
    return { subject: principal.subject };
  }

  @Get('open')
  @Public()
  open(): { open: boolean } {
    return { open: true };
  }
}

@Controller('audit')
class AuditController {
  @Get()
  @Can('audit.verify')
  list(): { rows: number } {
    return { rows: 0 };
  }

  @Get('admin')
  @Can('audit.seal')
  admin(): { admin: boolean } {
    return { admin: true };
  }
}

async function appFor(config: AppConfig): Promise<NestFastifyApplication> {
  const logger = createRootLogger('silent');
  @Module({ imports: [PlatformModule.forRoot(config, { logger })], controllers: [GuardedController, AuditController] })
  class GuardedModule {}
  const app = await createHttpApp(GuardedModule, config);
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('AuthGuard over HTTP', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kiungo-guard-'));
  const config = loadConfig({ KIUNGO_DATA_DIR: dataDir });
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await appFor(config);
  });

  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const get = (url: string, token?: string, authorization = token && `Bearer ${token}`) =>
    app.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });

  it('answers 401 problem+json with a Bearer challenge when the token is missing', async () => {
    const res = await get('/guarded/any');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(res.json()).toMatchObject({ type: 'https://kiungo.dev/problems/missing-token', status: 401, instance: '/guarded/any' });
    expect(res.headers['x-correlation-id']).toBe(res.json().correlationId);
  });

  it('answers 401 to a malformed header, an expired token and a forged one', async () => {
    const expired = await mintDevToken({ role: 'officer', expiresIn: -300 }, config);
    const otherDir = mkdtempSync(join(tmpdir(), 'kiungo-guard-other-'));
    try {
      const forged = await mintDevToken({ role: 'admin' }, { dataDir: otherDir, oidcAudience: 'kiungo' });
      const cases: [string | undefined, string][] = [
        ['Basic dXNlcjpwYXNz', 'invalid-token'],
        ['Bearer', 'invalid-token'],
        [`Bearer ${expired}`, 'token-expired'],
        [`Bearer ${forged}`, 'invalid-token'],
      ];
      for (const [authorization, code] of cases) {
        const res = await get('/guarded/any', undefined, authorization);
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
        expect(res.json().type).toBe(`https://kiungo.dev/problems/${code}`);
      }
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('lets any valid token through a route without an action and hands the principal to the handler', async () => {
    const token = await mintDevToken({ role: 'officer', centre: 'NRB-GPO', subject: 'jane' }, config);
    const res = await get('/guarded/any', token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ subject: 'jane', roles: ['officer'], centre: 'NRB-GPO' });
  });

  it("answers 403 (not 401) to a valid token without a role the action's policy lists, and 200 with any listed role", async () => {
    const officer = await get('/guarded/managers', await mintDevToken({ role: 'officer' }, config));
    expect(officer.statusCode).toBe(403);
    expect(officer.headers['www-authenticate']).toBeUndefined();
    expect(officer.json()).toMatchObject({ type: 'https://kiungo.dev/problems/insufficient-role', status: 403 });
    expect(officer.json().detail).toContain('operator, admin');

    const operator = await get('/guarded/managers', await mintDevToken({ role: 'operator', subject: 'ops-1' }, config));
    expect(operator.statusCode).toBe(200);
    expect(operator.json()).toEqual({ subject: 'ops-1' });
  });

  it("asks the policy about each handler's own action, and about the bindings of the token", async () => {
    const auditor = await mintDevToken({ role: 'auditor' }, config);
    const admin = await mintDevToken({ role: 'admin' }, config);
    const agencyAuditor = await mintDevToken({ roles: ['agency', 'auditor'], agency: 'nrb' }, config);
    expect((await get('/audit', auditor)).statusCode).toBe(200);
    expect((await get('/audit', admin)).statusCode).toBe(200);
    // Verifying spans every agency: an agency client stays with its own, whatever else it holds.
    expect((await get('/audit', agencyAuditor)).json()).toMatchObject({ status: 403, type: 'https://kiungo.dev/problems/scope-too-wide' });
    expect((await get('/audit/admin', auditor)).statusCode).toBe(403);
    expect((await get('/audit/admin', admin)).statusCode).toBe(200);
  });

  it('serves @Public() routes and the docs without a token', async () => {
    expect((await get('/guarded/open')).json()).toEqual({ open: true });
    const docs = await get('/docs/json');
    expect(docs.statusCode).toBe(200);
    const paths = docs.json().paths;
    expect(paths['/guarded/open'].get.security).toEqual([]);
    expect(paths['/guarded/any'].get.security).toBeUndefined();
    // @Can documents its action, and its 401 and 403 as problem+json.
    expect(paths['/guarded/managers'].get['x-kiungo-action']).toBe('agency.operate');
    expect(paths['/guarded/managers'].get.responses['403']).toEqual({
      description: 'Needs one of the roles: operator, admin',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    });
    expect(paths['/audit'].get.responses['401'].content['application/problem+json']).toBeDefined();
  });
});

describe('AuthGuard when the identity provider is down', () => {
  it('answers 503 problem+json with Retry-After, not 401 or 500', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/realms/kiungo`;
    await new Promise((resolve) => closed.close(resolve));
    const dataDir = mkdtempSync(join(tmpdir(), 'kiungo-guard-idp-'));
    const app = await appFor(loadConfig({ KIUNGO_DATA_DIR: dataDir, OIDC_ISSUER_URL: issuer }));
    try {
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1' })).toString('base64url');
      const claims = Buffer.from(JSON.stringify({ sub: 'x' })).toString('base64url');
      const res = await app.inject({ method: 'GET', url: '/guarded/any', headers: { authorization: `Bearer ${header}.${claims}.c2ln` } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toMatchObject({ type: 'https://kiungo.dev/problems/identity-provider-unavailable', status: 503 });
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
