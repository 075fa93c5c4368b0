import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWK, type KeyLike } from 'jose';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError } from '../../../core/shared/errors';
import { loadConfig } from '../config/env.schema';
import { DEV_ISSUER, DEV_KEY_FILE, loadDevSigningKey } from './dev-signing-key';
import { mintDevToken } from './dev-token';
import { TokenVerifier } from './token-verifier';

/** The DomainError a rejected verification gives, as `{ category, code }`. */
async function rejection(promise: Promise<unknown>): Promise<{ category: string; code: string; retryAfterSeconds?: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return { category: error.category, code: error.code, retryAfterSeconds: error.details.retryAfterSeconds };
    throw error;
  }
  throw new Error('expected the verification to fail');
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('TokenVerifier with the development key (embedded mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kiungo-auth-'));
  const config = loadConfig({ KIUNGO_DATA_DIR: dataDir });
  const verifier = TokenVerifier.fromConfig(config);
  const now = () => Math.floor(Date.now() / 1000);

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('accepts a minted token and reads roles, centre and agency', async () => {
    const token = await mintDevToken({ roles: ['officer', 'personal-data'], centre: 'NRB-GPO', agency: 'nrb', subject: 'jane' }, config);
    await expect(verifier.verify(token)).resolves.toEqual({ subject: 'jane', roles: ['officer', 'personal-data'], centre: 'NRB-GPO', agency: 'nrb' });
  });

  it('checks the signature of a token once and remembers it until it expires', async () => {
    const key = loadDevSigningKey(dataDir).publicKey;
    let keyLookups = 0;
    const counting = new TokenVerifier({ issuer: DEV_ISSUER, audience: config.oidcAudience, getKey: async () => (keyLookups++, key) });
    const token = await mintDevToken({ role: 'channel', subject: 'portal' }, config);
    await counting.verify(token);
    await counting.verify(token);
    expect(keyLookups).toBe(1);
    const shortLived = await mintDevToken({ role: 'channel', subject: 'portal', expiresIn: 1 }, config);
    await counting.verify(shortLived);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // Past its exp the cached entry is gone and the token is checked again (jose's 30 s skew still lets it pass).
    await counting.verify(shortLived);
    expect(keyLookups).toBe(3);
  });

  it('keeps the key as a 0600 file in the data dir', () => {
    expect(statSync(join(dataDir, DEV_KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('rejects an expired token, but tolerates 30 s of clock skew', async () => {
    const expired = await mintDevToken({ role: 'officer', expiresIn: -120 }, config);
    expect(await rejection(verifier.verify(expired))).toMatchObject({ category: 'unauthenticated', code: 'token-expired' });
    const justExpired = await mintDevToken({ role: 'officer', expiresIn: -10 }, config);
    await expect(verifier.verify(justExpired)).resolves.toMatchObject({ roles: ['officer'] });
  });

  it('rejects a token from another issuer', async () => {
    const key = loadDevSigningKey(dataDir);
    const token = await new SignJWT({ realm_access: { roles: ['admin'] } })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setIssuer('https://evil.example/realms/kiungo')
      .setAudience('kiungo')
      .setSubject('mallory')
      .setExpirationTime(now() + 600)
      .sign(key.privateKey);
    expect(await rejection(verifier.verify(token))).toEqual({ category: 'unauthenticated', code: 'invalid-token' });
  });

  it('rejects a token for another audience', async () => {
    const token = await mintDevToken({ role: 'officer' }, { dataDir, oidcAudience: 'some-other-client' });
    expect(await rejection(verifier.verify(token))).toMatchObject({ code: 'invalid-token' });
  });

  it('rejects an unsigned token (alg none)', async () => {
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ iss: DEV_ISSUER, aud: 'kiungo', sub: 'x', exp: now() + 600, realm_access: { roles: ['admin'] } })}.`;
    expect(await rejection(verifier.verify(token))).toMatchObject({ code: 'invalid-token' });
  });

  it('rejects HS256 "signed" with the public key as the secret', async () => {
    const publicPem = loadDevSigningKey(dataDir).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const token = await new SignJWT({ realm_access: { roles: ['admin'] } })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(DEV_ISSUER)
      .setAudience('kiungo')
      .setSubject('mallory')
      .setExpirationTime(now() + 600)
      .sign(new TextEncoder().encode(publicPem));
    expect(await rejection(verifier.verify(token))).toMatchObject({ code: 'invalid-token' });
  });

  it('rejects a token signed by another key, a token without exp, and garbage', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: loadDevSigningKey(dataDir).kid })
      .setIssuer(DEV_ISSUER).setAudience('kiungo').setSubject('mallory').setExpirationTime(now() + 600).sign(privateKey);
    const noExpiry = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' })
      .setIssuer(DEV_ISSUER).setAudience('kiungo').setSubject('x').sign(loadDevSigningKey(dataDir).privateKey);
    for (const token of [forged, noExpiry, 'not-a-jwt', 'a.b.c']) {
      expect(await rejection(verifier.verify(token))).toMatchObject({ category: 'unauthenticated', code: 'invalid-token' });
    }
  });

  it('accepts a token only as written: no character added to it, none respelt in its signature', async () => {
    const token = await mintDevToken({ role: 'officer', subject: 'jane' }, config);
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'jane' });
    const signature = token.slice(token.lastIndexOf('.') + 1);
    // The last character of an ES256 signature (64 bytes, 86 characters) carries 2 bits; the other 4 are unused.
    const last = signature.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBits = alphabet[alphabet.indexOf(last) ^ 0b1111];
    // Each of these is the same token to a lenient base64url decoder (jose's verifies them all).
    for (const variant of [`${token}!`, `${token}=`, `${token} `, `${token.slice(0, -1)}${sameBits}`]) {
      expect(await rejection(verifier.verify(variant))).toMatchObject({ category: 'unauthenticated', code: 'invalid-token' });
    }
    // A fresh verifier (nothing cached) refuses them too, and still takes the token itself.
    const fresh = TokenVerifier.fromConfig(config);
    expect(await rejection(fresh.verify(`${token.slice(0, -1)}${sameBits}`))).toMatchObject({ code: 'invalid-token' });
    await expect(fresh.verify(token)).resolves.toMatchObject({ subject: 'jane' });
  });
  it('refuses a token whose subject, centre or agency holds text no row could keep (NUL, unpaired surrogate)', async () => {
    for (const claims of [{ subject: 'jane\u0000' }, { subject: 'jane\ud800' }, { centre: 'NRB-GPO\udc00' }, { agency: 'nrb\u0000' }]) {
      const token = await mintDevToken({ role: 'officer', subject: 'jane', ...claims }, config);
      expect(await rejection(verifier.verify(token))).toMatchObject({ category: 'unauthenticated', code: 'invalid-token' });
    }
    // A whole surrogate pair is text like any other.
    const token = await mintDevToken({ role: 'officer', subject: 'jane\ud83d\ude00' }, config);
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'jane\ud83d\ude00' });
  });
});

describe('TokenVerifier against a real OIDC issuer (node:http discovery + JWKS)', () => {
  let server: Server;
  let issuer: string;
  let privateKey: KeyLike;
  let publicJwk: JWK;
  let jwksStatus = 200;
  const oidcDataDir = mkdtempSync(join(tmpdir(), 'kiungo-oidc-'));
  const hits = { discovery: 0, jwks: 0 };
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
    server = createServer((request, response) => {
      if (request.url === '/realms/kiungo/.well-known/openid-configuration') {
        hits.discovery += 1;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs` }));
      } else if (request.url === '/realms/kiungo/protocol/openid-connect/certs') {
        hits.jwks += 1;
        response.statusCode = jwksStatus;
        response.setHeader('content-type', 'application/json');
        response.end(jwksStatus === 200 ? JSON.stringify({ keys: [publicJwk] }) : '{"error":"down"}');
      } else {
        response.statusCode = 404;
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/kiungo`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(oidcDataDir, { recursive: true, force: true });
  });

  function keycloakToken(overrides: { issuer?: string; key?: KeyLike; audience?: string } = {}): Promise<string> {
    return new SignJWT({
      realm_access: { roles: ['officer', 'offline_access'] },
      resource_access: { kiungo: { roles: ['personal-data'] }, 'realm-management': { roles: ['admin'] } },
      centre: 'MSA-01',
      preferred_username: 'j.wanjiru',
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
      .setIssuer(overrides.issuer ?? issuer)
      .setAudience(overrides.audience ?? 'kiungo')
      .setSubject('f:0b5e:j.wanjiru')
      .setExpirationTime(now() + 300)
      .sign(overrides.key ?? privateKey);
  }

  it('discovers the JWKS once and maps Keycloak realm and client roles', async () => {
    const verifier = TokenVerifier.fromConfig(loadConfig({ OIDC_ISSUER_URL: issuer, KIUNGO_DATA_DIR: oidcDataDir }));
    const before = hits.discovery;
    const principal = await verifier.verify(await keycloakToken());
    expect(principal).toEqual({ subject: 'f:0b5e:j.wanjiru', roles: ['officer', 'personal-data'], centre: 'MSA-01', name: 'j.wanjiru' });
    await verifier.verify(await keycloakToken());
    expect(hits.discovery - before).toBe(1);
  });

  it('rejects a token signed by another RSA key, from another issuer, or for another audience', async () => {
    const verifier = TokenVerifier.fromConfig(loadConfig({ OIDC_ISSUER_URL: issuer, KIUNGO_DATA_DIR: oidcDataDir }));
    const other = (await generateKeyPair('RS256')).privateKey;
    for (const token of [
      await keycloakToken({ key: other }),
      await keycloakToken({ issuer: `${issuer}-other` }),
      await keycloakToken({ audience: 'account' }),
    ]) {
      expect(await rejection(verifier.verify(token))).toMatchObject({ category: 'unauthenticated', code: 'invalid-token' });
    }
  });

  it('rejects HS256 signed with the published RSA public key', async () => {
    const verifier = TokenVerifier.fromConfig(loadConfig({ OIDC_ISSUER_URL: issuer, KIUNGO_DATA_DIR: oidcDataDir }));
    const { publicKey } = await generateKeyPair('RS256');
    const secret = new TextEncoder().encode(await exportSPKI(publicKey));
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .setIssuer(issuer).setAudience('kiungo').setSubject('x').setExpirationTime(now() + 300).sign(secret);
    expect(await rejection(verifier.verify(token))).toMatchObject({ code: 'invalid-token' });
  });

  it('uses OIDC_JWKS_URL without discovery', async () => {
    const verifier = TokenVerifier.fromConfig(
      loadConfig({ OIDC_ISSUER_URL: issuer, OIDC_JWKS_URL: `${issuer}/protocol/openid-connect/certs`, KIUNGO_DATA_DIR: oidcDataDir }),
    );
    const before = hits.discovery;
    await expect(verifier.verify(await keycloakToken())).resolves.toMatchObject({ subject: 'f:0b5e:j.wanjiru' });
    expect(hits.discovery).toBe(before);
  });

  it('reports an unreachable or failing identity provider as unavailable, not as a bad token', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadIssuer = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/realms/kiungo`;
    await new Promise((resolve) => closed.close(resolve));

    const unreachable = TokenVerifier.fromConfig(loadConfig({ OIDC_ISSUER_URL: deadIssuer, KIUNGO_DATA_DIR: oidcDataDir }));
    expect(await rejection(unreachable.verify(await keycloakToken({ issuer: deadIssuer })))).toEqual({
      category: 'unavailable',
      code: 'identity-provider-unavailable',
      retryAfterSeconds: 5,
    });

    jwksStatus = 500;
    try {
      const failing = TokenVerifier.fromConfig(loadConfig({ OIDC_ISSUER_URL: issuer, KIUNGO_DATA_DIR: oidcDataDir }));
      expect(await rejection(failing.verify(await keycloakToken()))).toMatchObject({ category: 'unavailable' });
    } finally {
      jwksStatus = 200;
    }
  });
});
