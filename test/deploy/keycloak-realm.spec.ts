/**
 * deploy/keycloak/realm-kiungo.json against what the gateway needs from a Keycloak token: the
 * roles it knows, the `kiungo` audience, the `centre` and `agency` claims. The last test plays
 * Keycloak: it applies the realm's own protocol mappers to build each client's access token,
 * signs it with a key served from a real JWKS endpoint, and has the gateway's verifier read it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCatalogue } from '../../contracts/src/catalogue.loader';
import { defaultCatalogueDir } from '../../contracts/src/catalogue.paths';
import { demoCentres } from '../../core/centres/demo-centres';
import { ROLES, TokenVerifier, type Principal } from '../../gateway/src/auth';
import { loadConfig } from '../../gateway/src/config/env.schema';
import { KeycloakTestRealm } from '../factories/keycloak';

interface Mapper {
  name: string;
  protocol: string;
  protocolMapper: string;
  config: Record<string, string>;
}
interface Client {
  clientId: string;
  publicClient?: boolean;
  bearerOnly?: boolean;
  secret?: string;
  standardFlowEnabled?: boolean;
  implicitFlowEnabled?: boolean;
  directAccessGrantsEnabled?: boolean;
  serviceAccountsEnabled?: boolean;
  attributes?: Record<string, string>;
  protocolMappers?: Mapper[];
}
interface User {
  username: string;
  enabled: boolean;
  serviceAccountClientId?: string;
  realmRoles?: string[];
  attributes?: Record<string, string[]>;
  credentials?: { type: string; value: string; temporary: boolean }[];
}
interface Realm {
  realm: string;
  roles: { realm: { name: string }[] };
  clients: Client[];
  users: User[];
  clientScopes?: unknown;
  components: Record<string, { providerId: string; config: Record<string, string[]> }[]>;
}

const REALM_FILE = resolve(__dirname, '..', '..', 'deploy', 'keycloak', 'realm-kiungo.json');
const realm = JSON.parse(readFileSync(REALM_FILE, 'utf8')) as Realm;
const DEFAULT_ROLES = `default-roles-${realm.realm}`;
const dataDir = mkdtempSync(join(tmpdir(), 'kiungo-realm-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
/** The audience the gateway expects by default (OIDC_AUDIENCE unset). */
const AUDIENCE = loadConfig({ KIUNGO_DATA_DIR: dataDir }).oidcAudience;
const catalogue = loadCatalogue(defaultCatalogueDir());
const CENTRES = demoCentres(catalogue).map((c) => c.code);

const client = (id: string): Client => {
  const found = realm.clients.find((c) => c.clientId === id);
  if (!found) throw new Error(`no client ${id} in ${REALM_FILE}`);
  return found;
};
const serviceAccountOf = (id: string): User | undefined => realm.users.find((u) => u.serviceAccountClientId === id);
const people = realm.users.filter((u) => !u.serviceAccountClientId);
const signsInUsers = (c: Client) => Boolean(c.standardFlowEnabled || c.directAccessGrantsEnabled || c.implicitFlowEnabled);
const inAccessToken = (m: Mapper) => m.config['access.token.claim'] === 'true';

describe('deploy/keycloak/realm-kiungo.json', () => {
  it("leaves Keycloak's default client scopes to Keycloak: with clientScopes listed, Keycloak 26 would drop basic (sub) and roles (realm_access)", () => {
    expect(realm.clientScopes).toBeUndefined();
    for (const c of realm.clients) expect(c).not.toHaveProperty('defaultClientScopes');
  });

  it('defines exactly the roles the gateway knows, as realm roles', () => {
    expect(realm.roles.realm.map((r) => r.name).sort()).toEqual([...ROLES].sort());
  });

  it('gives users only roles the gateway knows (besides the default roles)', () => {
    for (const user of realm.users) {
      for (const role of user.realmRoles ?? []) expect([DEFAULT_ROLES, ...ROLES]).toContain(role);
    }
  });

  it('has one test officer per demo centre, each with its centre attribute', () => {
    const officers = people.filter((u) => u.realmRoles?.includes('officer'));
    expect(officers.map((u) => u.attributes?.centre).sort()).toEqual(CENTRES.map((code) => [code]).sort());
    for (const officer of officers) expect(officer.enabled).toBe(true);
  });

  it('binds every officer and manager to an existing demo centre', () => {
    for (const user of people.filter((u) => u.realmRoles?.some((r) => r === 'officer' || r === 'manager'))) {
      expect(CENTRES).toContain(user.attributes?.centre?.[0]);
    }
  });

  it('declares centre in the user profile, editable by administrators only (an officer must not move itself)', () => {
    const [profile] = realm.components['org.keycloak.userprofile.UserProfileProvider'];
    expect(profile.providerId).toBe('declarative-user-profile');
    const config = JSON.parse(profile.config['kc.user.profile.config'][0]) as { attributes: { name: string; permissions: { edit: string[] } }[] };
    const centre = config.attributes.find((a) => a.name === 'centre');
    expect(centre?.permissions.edit).toEqual(['admin']);
  });

  it(`adds the ${AUDIENCE} audience to the access tokens of every client (Keycloak's default audience is account)`, () => {
    for (const c of realm.clients.filter((c) => !c.bearerOnly)) {
      const audience = (c.protocolMappers ?? []).filter((m) => m.protocolMapper === 'oidc-audience-mapper' && inAccessToken(m));
      expect({ client: c.clientId, audiences: audience.map((m) => m.config['included.client.audience'] ?? m.config['included.custom.audience']) }).toEqual({
        client: c.clientId,
        audiences: [AUDIENCE],
      });
    }
    expect(client(AUDIENCE).bearerOnly).toBe(true);
  });

  it('puts the centre attribute into the access token of every client users sign in through', () => {
    const loginClients = realm.clients.filter(signsInUsers);
    expect(loginClients.map((c) => c.clientId)).toEqual(expect.arrayContaining(['kiungo-counter']));
    for (const c of loginClients) {
      const mapper = c.protocolMappers?.find((m) => m.protocolMapper === 'oidc-usermodel-attribute-mapper' && m.config['user.attribute'] === 'centre');
      expect({ client: c.clientId, claim: mapper?.config['claim.name'], accessToken: mapper && inAccessToken(mapper) }).toEqual({
        client: c.clientId,
        claim: 'centre',
        accessToken: true,
      });
    }
  });

  it('signs the counter app in with the authorization code flow and PKCE, as a public client', () => {
    const counter = client('kiungo-counter');
    expect(counter).toMatchObject({ publicClient: true, standardFlowEnabled: true, directAccessGrantsEnabled: false, implicitFlowEnabled: false });
    expect(counter.attributes?.['pkce.code.challenge.method']).toBe('S256');
    // The password grant exists only on the client named as demo-only.
    expect(realm.clients.filter((c) => c.directAccessGrantsEnabled).map((c) => c.clientId)).toEqual(['kiungo-dev-cli']);
  });

  it('gives portal, USSD and call centre confidential service accounts holding channel', () => {
    for (const id of ['kiungo-portal', 'kiungo-ussd', 'kiungo-call-centre']) {
      expect(client(id)).toMatchObject({ publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false });
      expect(serviceAccountOf(id)?.realmRoles).toEqual([DEFAULT_ROLES, 'channel']);
    }
  });

  it('has a client-credentials client per catalogue agency, whose token names its agency', () => {
    const agencyClients = realm.clients.filter((c) => serviceAccountOf(c.clientId)?.realmRoles?.includes('agency'));
    const named = agencyClients.map((c) => {
      expect(c).toMatchObject({ publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false, directAccessGrantsEnabled: false });
      const mapper = c.protocolMappers?.find((m) => m.protocolMapper === 'oidc-hardcoded-claim-mapper' && m.config['claim.name'] === 'agency');
      expect(mapper && inAccessToken(mapper)).toBe(true);
      expect(serviceAccountOf(c.clientId)?.realmRoles).toEqual([DEFAULT_ROLES, 'agency']);
      return mapper?.config['claim.value'];
    });
    expect(named.sort()).toEqual(catalogue.agencies.map((a) => a.code).sort());
  });

  it('keeps secrets and passwords out of the file: each is an environment placeholder with a dev-only default', () => {
    const placeholder = /^\$\{[A-Z][A-Z0-9_]*:[^}]*\}$/;
    for (const c of realm.clients.filter((c) => c.secret !== undefined)) expect(c.secret).toMatch(placeholder);
    for (const user of realm.users) for (const credential of user.credentials ?? []) expect(credential.value).toMatch(placeholder);
  });

  describe('tokens built from the realm, read by the gateway', () => {
    let keycloak: KeycloakTestRealm;
    let verifier: TokenVerifier;

    beforeAll(async () => {
      keycloak = await KeycloakTestRealm.start(realm.realm);
      verifier = TokenVerifier.fromConfig(loadConfig({ KIUNGO_DATA_DIR: dataDir, OIDC_ISSUER_URL: keycloak.issuer }));
    });

    afterAll(() => keycloak.close());

    /** What the realm's own protocol mappers put into an access token for this client and user. */
    function mapped(c: Client, user: User): { audiences: string[]; claims: Record<string, unknown> } {
      const audiences: string[] = [];
      const claims: Record<string, unknown> = {};
      for (const mapper of (c.protocolMappers ?? []).filter(inAccessToken)) {
        switch (mapper.protocolMapper) {
          case 'oidc-audience-mapper':
            audiences.push(mapper.config['included.client.audience'] ?? mapper.config['included.custom.audience']);
            break;
          case 'oidc-usermodel-attribute-mapper': {
            const value = user.attributes?.[mapper.config['user.attribute']]?.[0];
            if (value !== undefined) claims[mapper.config['claim.name']] = value;
            break;
          }
          case 'oidc-hardcoded-claim-mapper':
            claims[mapper.config['claim.name']] = mapper.config['claim.value'];
            break;
          default:
            throw new Error(`${c.clientId}: this test does not know what mapper ${mapper.protocolMapper} puts in a token`);
        }
      }
      return { audiences, claims };
    }

    const kiungoRoles = (user: User) => (user.realmRoles ?? []).filter((r) => r !== DEFAULT_ROLES);

    it('reads every test officer signed in at the counter app with its centre and client', async () => {
      const counter = client('kiungo-counter');
      for (const officer of people.filter((u) => u.realmRoles?.includes('officer'))) {
        const { audiences, claims } = mapped(counter, officer);
        const token = keycloak.userToken({ username: officer.username, client: counter.clientId, realmRoles: kiungoRoles(officer), audiences, mapped: claims });
        await expect(verifier.verify(token)).resolves.toMatchObject<Partial<Principal>>({
          roles: ['officer'],
          centre: officer.attributes?.centre?.[0],
          client: 'kiungo-counter',
        });
      }
    });

    it('reads every service account of the realm with its role, agency and client', async () => {
      for (const c of realm.clients.filter((c) => c.serviceAccountsEnabled)) {
        const account = serviceAccountOf(c.clientId);
        if (!account) throw new Error(`${c.clientId} has service accounts enabled but no service account user`);
        const { audiences, claims } = mapped(c, account);
        const token = keycloak.serviceAccountToken({ client: c.clientId, realmRoles: kiungoRoles(account), audiences, mapped: claims });
        const principal = await verifier.verify(token);
        expect(principal).toMatchObject({ roles: kiungoRoles(account), client: c.clientId });
        expect(principal.agency).toBe(claims.agency);
      }
    });
  });
});
