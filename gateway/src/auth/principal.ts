import type { JWTPayload } from 'jose';
import { isRole, type Role } from '../../../core/authorization/roles';
import { isStorableText } from '../../../core/shared/storable-text';

/** Who is calling, as established from a verified access token. */
export interface Principal {
  /** The token's `sub`: a Keycloak user or service-account id. */
  subject: string;
  roles: Role[];
  /** Centre code (e.g. `NRB-GPO`) an officer is bound to, from the `centre` claim. */
  centre?: string;
  /** Agency code an `agency` caller may see, from the `agency` claim. */
  agency?: string;
  /** Display name, from `name` or `preferred_username`; for audit trails, never for decisions. */
  name?: string;
  /**
   * The OAuth client the token was issued to, from `azp` (Keycloak: `kiungo-portal`,
   * `kiungo-counter`, `agency-nrb`, ...): which channel application is calling.
   */
  client?: string;
}

/**
 * Keycloak puts realm roles in `realm_access.roles` and client roles in
 * `resource_access[<client>].roles`; both count, the client being our audience (`kiungo`). Client
 * roles of any other client (the caller's own `azp` included) never count: whoever administers
 * that client could otherwise hand its tokens any Kiungo role.
 */
export function principalFromClaims(claims: JWTPayload, audience: string): Principal | undefined {
  if (typeof claims.sub !== 'string' || claims.sub === '') return undefined;
  const realmRoles = rolesIn(objectAt(claims, 'realm_access'));
  const clientRoles = rolesIn(objectAt(objectAt(claims, 'resource_access'), audience));
  const roles = [...new Set([...realmRoles, ...clientRoles])];

  const principal: Principal = { subject: claims.sub, roles };
  const centre = stringAt(claims, 'centre');
  const agency = stringAt(claims, 'agency');
  const name = stringAt(claims, 'name') ?? stringAt(claims, 'preferred_username');
  const client = stringAt(claims, 'azp');
  if (centre !== undefined) principal.centre = centre;
  if (agency !== undefined) principal.agency = agency;
  if (name !== undefined) principal.name = name;
  if (client !== undefined) principal.client = client;
  // Frozen: the verifier hands this one object to every request with the token, so no request may change it for the next.
  Object.freeze(principal.roles);
  return Object.freeze(principal);
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const inner = (value as Record<string, unknown>)[key];
  return typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : undefined;
}

function rolesIn(access: Record<string, unknown> | undefined): Role[] {
  const roles = access?.roles;
  return Array.isArray(roles) ? roles.filter(isRole) : [];
}

function stringAt(claims: JWTPayload, key: string): string | undefined {
  const value = claims[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The claims a principal's text comes from, in the order they are checked. */
const TEXT_CLAIMS: ReadonlyArray<[keyof Principal, string]> = [
  ['subject', 'sub'],
  ['centre', 'centre'],
  ['agency', 'agency'],
  ['name', 'name'],
  ['client', 'azp'],
];

/**
 * The first claim whose text PostgreSQL could not keep (a NUL, an unpaired surrogate), or
 * undefined. The principal's text goes into rows and the audit log (actor, officer, channel
 * client); such a claim would fail its statement, or be stored as U+FFFD under a hash no verify
 * recomputes. The token is refused rather than the claim dropped: dropping `centre` or `agency`
 * would widen what the caller may see.
 */
export function unstorableClaim(principal: Principal): string | undefined {
  for (const [field, claim] of TEXT_CLAIMS) {
    const value = principal[field];
    if (typeof value === 'string' && !isStorableText(value)) return field === 'name' ? 'name or preferred_username' : claim;
  }
  return undefined;
}
