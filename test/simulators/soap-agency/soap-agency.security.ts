/**
 * The simulated agency's WS-Security check: a UsernameToken with a text password or a digest
 * (Base64(SHA-1(nonce + created + password)), OASIS UsernameToken Profile 1.0). A failure is the
 * standard `wsse:FailedAuthentication` fault, which a client must treat as its own misconfiguration.
 */
import { passwordDigest } from 'soap';

export interface Credentials {
  username: string;
  password: string;
}

export const AUTHENTICATION_FAULT = {
  Fault: {
    faultcode: 'wsse:FailedAuthentication',
    faultstring: 'The security token could not be authenticated or authorized',
    statusCode: 500,
  },
};

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isNode(value) && typeof value.$value === 'string') return value.$value;
  return undefined;
}

export function authenticated(headers: unknown, expected: Credentials): boolean {
  const security = isNode(headers) ? headers.Security : undefined;
  const token = isNode(security) ? security.UsernameToken : undefined;
  if (!isNode(token) || text(token.Username) !== expected.username) return false;
  const password = token.Password;
  const given = text(password);
  if (given === undefined) return false;
  const type = isNode(password) && isNode(password.attributes) ? String(password.attributes.Type ?? '') : '';
  if (type.endsWith('#PasswordDigest')) {
    const nonce = text(token.Nonce);
    const created = text(token.Created);
    return nonce !== undefined && created !== undefined && passwordDigest(nonce, created, expected.password) === given;
  }
  return given === expected.password;
}
