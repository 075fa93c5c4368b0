/**
 * The roles Kiungo knows (DESIGN.md, Identity). Keycloak realm or client roles with other names
 * (offline_access, uma_authorization, ...) are ignored.
 *
 * `personal-data` is a capability rather than a job: held beside another role, it lets the
 * caller see national IDs and phone numbers unmasked (every such read is audited).
 */
export const ROLES = ['channel', 'officer', 'manager', 'operator', 'auditor', 'agency', 'admin', 'personal-data'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
