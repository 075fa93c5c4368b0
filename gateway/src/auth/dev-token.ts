import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/env.schema';
import { DEV_ISSUER, loadDevSigningKey } from './dev-signing-key';
import { ROLES, isRole, type Role } from '../../../core/authorization/roles';

export interface DevTokenRequest {
  role?: Role;
  roles?: readonly Role[];
  centre?: string;
  agency?: string;
  /** Default `dev-<first role>`. */
  subject?: string;
  name?: string;
  /** The OAuth client the token is issued to (`azp`), as Keycloak names the calling application. */
  client?: string;
  /** `8h`, `30m`, `45s`, `2d`, or seconds as a number; negative gives an already expired token (tests). Default 1h. */
  expiresIn?: string | number;
}

/**
 * Mints an access token signed by the development key, shaped like a Keycloak token (roles in
 * `realm_access.roles`), for embedded mode, tests and `npm run token`. The server accepts it
 * only when OIDC_ISSUER_URL is unset.
 */
export async function mintDevToken(
  request: DevTokenRequest,
  config: Pick<AppConfig, 'dataDir' | 'oidcAudience'> = loadConfig(),
): Promise<string> {
  const roles = [...new Set([...(request.role ? [request.role] : []), ...(request.roles ?? [])])];
  const unknown = roles.filter((role) => !isRole(role));
  if (roles.length === 0 || unknown.length > 0) {
    throw new Error(`unknown or missing role ${unknown.join(', ')}; roles are: ${ROLES.join(', ')}`);
  }
  const lifetimeSeconds = parseLifetime(request.expiresIn ?? '1h');
  const key = loadDevSigningKey(config.dataDir);
  const now = Math.floor(Date.now() / 1000);

  const claims: Record<string, unknown> = { realm_access: { roles }, typ: 'Bearer' };
  if (request.centre) claims.centre = request.centre;
  if (request.agency) claims.agency = request.agency;
  if (request.name) claims.name = request.name;
  if (request.client) claims.azp = request.client;

  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer(DEV_ISSUER)
    .setAudience(config.oidcAudience)
    .setSubject(request.subject ?? `dev-${roles[0]}`)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSeconds)
    .sign(key.privateKey);
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds from `8h`-style text or a number of seconds; throws on anything else. */
export function parseLifetime(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`token lifetime must be whole seconds, got ${value}`);
    return value;
  }
  const match = /^(-?\d+)\s*([smhd]?)$/.exec(value.trim());
  if (!match) throw new Error(`token lifetime must look like 45s, 30m, 8h or 2d, got "${value}"`);
  return Number(match[1]) * UNIT_SECONDS[match[2] || 's'];
}
