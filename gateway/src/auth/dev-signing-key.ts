import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateSecretFile } from '../config/file-once';

/** The `iss` of development tokens; never a URL, so it cannot be confused with a real issuer. */
export const DEV_ISSUER = 'urn:kiungo:dev';

export const DEV_KEY_FILE = 'dev-signing-key.json';

export interface DevSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const loaded = new Map<string, DevSigningKey>();

/**
 * Embedded mode's identity provider: one ES256 key pair, kept as a private JWK in
 * `<dataDir>/dev-signing-key.json` (0600) and created on first use, so that the server and the
 * `npm run token` command agree without talking to each other.
 */
export function loadDevSigningKey(dataDir: string): DevSigningKey {
  const path = join(dataDir, DEV_KEY_FILE);
  const cached = loaded.get(path);
  if (cached) return cached;

  const { content } = readOrCreateSecretFile(path, () => `${JSON.stringify(newPrivateJwk(), null, 2)}\n`);
  const jwk = parsePrivateJwk(content, path);
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  const key: DevSigningKey = { kid: String(jwk.kid), privateKey, publicKey: createPublicKey(privateKey) };
  loaded.set(path, key);
  return key;
}

function newPrivateJwk(): JsonWebKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: thumbprint(jwk), alg: 'ES256', use: 'sig' };
}

/** RFC 7638 thumbprint: a stable key id derived from the public part. */
function thumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

function parsePrivateJwk(content: string, path: string): JsonWebKey {
  let jwk: unknown;
  try {
    jwk = JSON.parse(content);
  } catch {
    jwk = undefined;
  }
  const ok =
    typeof jwk === 'object' &&
    jwk !== null &&
    (jwk as JsonWebKey).kty === 'EC' &&
    (jwk as JsonWebKey).crv === 'P-256' &&
    ['d', 'x', 'y', 'kid'].every((field) => typeof (jwk as Record<string, unknown>)[field] === 'string');
  if (!ok) {
    throw new Error(`${path} is not an ES256 private JWK; delete it to have a new development key made`);
  }
  return jwk as JsonWebKey;
}
