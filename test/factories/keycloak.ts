/**
 * A Keycloak 26 realm as a resource server sees it: a real HTTP server answering Keycloak's
 * discovery document and JWKS at Keycloak's paths, and access tokens built the way Keycloak 26
 * builds them (header with Keycloak's spacing, `jti` prefixes, `realm_access`, `resource_access`,
 * `azp`, `iss` = `{base}/realms/{realm}`, the default roles and the `account` audience every
 * Keycloak user gets), signed RS256 with the realm's active key.
 *
 * Keys rotate as in Keycloak: `rotateKey()` makes a new key active and keeps the old one published
 * (passive) until `retireKey()` removes it. The JWKS also lists Keycloak's encryption key
 * (`use: enc`, RSA-OAEP), which a verifier must skip. Certificates (`x5c`) are left out: a JWT
 * verifier reads `n` and `e`.
 */
import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RealmKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** What a user's access token carries besides what every Keycloak token has. */
export interface UserTokenRequest {
  username: string;
  /** The client the user signed in through (`azp`). */
  client: string;
  /** Realm roles granted to the user; Keycloak adds its default roles around them. */
  realmRoles?: readonly string[];
  /** Client roles by client id (`{ kiungo: ['personal-data'] }`). */
  clientRoles?: Readonly<Record<string, readonly string[]>>;
  /** Claims added by the realm's protocol mappers (`centre`, ...). */
  mapped?: Readonly<Record<string, unknown>>;
  /** Audiences added by audience mappers; Keycloak adds `account` for its default roles. Default `['kiungo']`. */
  audiences?: readonly string[];
}

/** A service account's token (client credentials grant): the same, without a person behind it. */
export type ServiceAccountTokenRequest = Omit<UserTokenRequest, 'username'>;

export interface TokenOptions {
  /** Seconds from now; Keycloak's default access token lifespan is 300. Negative: already expired. */
  expiresIn?: number;
  /** Replaces or removes (undefined) claims after the Keycloak shape is built. */
  override?: Readonly<Record<string, unknown>>;
  /** Sign with this key instead of the active one. */
  key?: RealmKey;
}

const ACCOUNT_ROLES = ['manage-account', 'manage-account-links', 'view-profile'];

export class KeycloakTestRealm {
  readonly requests = { discovery: 0, jwks: 0 };
  private readonly published: RealmKey[] = [];
  private readonly encryptionKey = newKey();
  private active: RealmKey;

  private constructor(
    private readonly server: Server,
    readonly base: string,
    readonly realm: string,
  ) {
    this.active = newKey();
    this.published.push(this.active);
  }

  static async start(realm = 'kiungo'): Promise<KeycloakTestRealm> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const instance = new KeycloakTestRealm(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, realm);
    server.on('request', (request, response) => instance.answer(request.url ?? '', response));
    return instance;
  }

  /** `{base}/realms/{realm}`: the `iss` of every token, and what OIDC_ISSUER_URL is set to. */
  get issuer(): string {
    return `${this.base}/realms/${this.realm}`;
  }

  get jwksUrl(): string {
    return `${this.issuer}/protocol/openid-connect/certs`;
  }

  get activeKey(): RealmKey {
    return this.active;
  }

  /** A new active signing key; the previous one stays in the JWKS (passive) until retired. */
  rotateKey(): RealmKey {
    this.active = newKey();
    this.published.push(this.active);
    return this.active;
  }

  /** Publishes a key without signing with it yet (Keycloak: enabled, not active). */
  addPassiveKey(): RealmKey {
    const key = newKey();
    this.published.push(key);
    return key;
  }

  /** Makes a published key the one tokens are signed with. */
  activate(key: RealmKey): void {
    if (!this.published.includes(key)) throw new Error(`key ${key.kid} is not published`);
    this.active = key;
  }

  /** Removes a key from the JWKS (Keycloak: key provider disabled or deleted). */
  retireKey(key: RealmKey): void {
    const index = this.published.indexOf(key);
    if (index >= 0) this.published.splice(index, 1);
  }

  /** An access token from the authorization code flow (an officer at the counter app). */
  userToken(request: UserTokenRequest, options: TokenOptions = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const [firstName, ...rest] = request.username.split(/[.\-_]/);
    const lastName = rest.join(' ') || 'Test';
    const claims: Record<string, unknown> = {
      exp: now + (options.expiresIn ?? 300),
      iat: now,
      auth_time: now - 5,
      jti: `onrtac:${randomUUID()}`,
      iss: this.issuer,
      aud: [...(request.audiences ?? ['kiungo']), 'account'],
      sub: randomUUID(),
      typ: 'Bearer',
      azp: request.client,
      sid: randomUUID(),
      acr: '1',
      'allowed-origins': ['http://localhost:5173'],
      realm_access: { roles: this.realmRoles(request.realmRoles) },
      resource_access: this.resourceAccess(request.clientRoles),
      scope: 'openid profile email',
      email_verified: false,
      ...request.mapped,
      name: `${capitalise(firstName)} ${capitalise(lastName)}`,
      preferred_username: request.username,
      given_name: capitalise(firstName),
      family_name: capitalise(lastName),
      email: `${request.username}@example.go.ke`,
    };
    return this.sign(applyOverride(claims, options.override), options.key);
  }

  /** An access token from the client credentials grant (a channel or agency service account). */
  serviceAccountToken(request: ServiceAccountTokenRequest, options: TokenOptions = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      exp: now + (options.expiresIn ?? 300),
      iat: now,
      jti: `trrtcc:${randomUUID()}`,
      iss: this.issuer,
      aud: [...(request.audiences ?? ['kiungo']), 'account'],
      sub: randomUUID(),
      typ: 'Bearer',
      azp: request.client,
      acr: '1',
      realm_access: { roles: this.realmRoles(request.realmRoles) },
      resource_access: this.resourceAccess(request.clientRoles),
      scope: 'profile email',
      clientHost: '127.0.0.1',
      email_verified: false,
      ...request.mapped,
      preferred_username: `service-account-${request.client}`,
      clientAddress: '127.0.0.1',
      client_id: request.client,
    };
    return this.sign(applyOverride(claims, options.override), options.key);
  }

  /** Signs claims as Keycloak does (RS256, its header spacing, the key's `kid`). */
  sign(claims: Readonly<Record<string, unknown>>, key: RealmKey = this.active): string {
    // Keycloak's JWSBuilder writes the header by hand, with these spaces.
    const header = `{"alg":"RS256","typ" : "JWT","kid" : "${key.kid}"}`;
    const input = `${Buffer.from(header).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private realmRoles(roles: readonly string[] = []): string[] {
    return [`default-roles-${this.realm}`, 'offline_access', ...roles, 'uma_authorization'];
  }

  private resourceAccess(clientRoles: Readonly<Record<string, readonly string[]>> = {}): Record<string, { roles: string[] }> {
    const access: Record<string, { roles: string[] }> = {};
    for (const [client, roles] of Object.entries(clientRoles)) access[client] = { roles: [...roles] };
    access.account = { roles: [...ACCOUNT_ROLES] };
    return access;
  }

  private answer(url: string, response: import('node:http').ServerResponse): void {
    const json = (body: unknown) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(body));
    };
    if (url === `/realms/${this.realm}/.well-known/openid-configuration`) {
      this.requests.discovery += 1;
      json({
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/protocol/openid-connect/auth`,
        token_endpoint: `${this.issuer}/protocol/openid-connect/token`,
        jwks_uri: this.jwksUrl,
        id_token_signing_alg_values_supported: ['PS384', 'RS384', 'EdDSA', 'ES384', 'HS256', 'HS512', 'ES256', 'RS256', 'HS384', 'ES512', 'PS256', 'PS512', 'RS512'],
      });
    } else if (url === `/realms/${this.realm}/protocol/openid-connect/certs`) {
      this.requests.jwks += 1;
      json({
        keys: [
          { ...publicJwk(this.encryptionKey), alg: 'RSA-OAEP', use: 'enc' },
          ...this.published.map((key) => ({ ...publicJwk(key), alg: 'RS256', use: 'sig' })),
        ],
      });
    } else {
      response.statusCode = 404;
      json({ error: 'Realm does not exist' });
    }
  }
}

function newKey(): RealmKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // Keycloak's kid: base64url of a SHA-256 over the key, 43 characters.
  const kid = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
  return { kid, privateKey, publicKey };
}

function publicJwk(key: RealmKey): Record<string, unknown> {
  const { n, e } = key.publicKey.export({ format: 'jwk' });
  return { kid: key.kid, kty: 'RSA', n, e };
}

function applyOverride(claims: Record<string, unknown>, override: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const result = { ...claims };
  for (const [name, value] of Object.entries(override)) {
    if (value === undefined) delete result[name];
    else result[name] = value;
  }
  return result;
}

function capitalise(word: string): string {
  return word ? `${word[0].toUpperCase()}${word.slice(1)}` : word;
}
