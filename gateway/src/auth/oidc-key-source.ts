import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';

/** The identity provider could not give us its keys: a 503 for the caller, not a bad token. */
export class IdentityProviderUnavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'IdentityProviderUnavailable';
  }
}

/**
 * What the key set can say about a token (no key with its `kid`, several candidates, an
 * algorithm it has no key for): the token's fault, so a 401. Anything else while fetching keys
 * — refused connection, timeout, non-200, garbage — is the provider's fault.
 */
const TOKEN_FAULTS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported] as const;

const FETCH_TIMEOUT_MS = 5000;
/**
 * A token whose `kid` is not in the cached key set makes us fetch the JWKS again, at most once per
 * this interval (jose's default is 30 s). When Keycloak makes a new key active, tokens signed with
 * it are refused only if this replica fetched the set within the last 10 s, and for at most that
 * long (Keycloak's own adapters wait 10 s too); deploy/RUNBOOK.md rotates with no refusal at all by
 * publishing the new key passive first. The interval bounds what a stream of made-up `kid`s can
 * make us send to Keycloak.
 */
export const UNKNOWN_KID_REFETCH_INTERVAL_MS = 10_000;
/** Keys are fetched again after this long even when every `kid` is known (jose's default), so a withdrawn key stops working. */
export const JWKS_MAX_AGE_MS = 10 * 60_000;

/**
 * Keys of an OIDC issuer (Keycloak realm): `jwks_uri` from its discovery document (or the
 * configured override), then jose's remote key set, which caches keys and refetches on an
 * unknown `kid` (a rotated key) without a restart.
 */
export class OidcKeySource {
  private keySet?: JWTVerifyGetKey;
  private discovering?: Promise<JWTVerifyGetKey>;

  constructor(
    private readonly issuerUrl: string,
    private readonly jwksUrlOverride?: string,
  ) {}

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const keySet = await this.remoteKeySet();
    try {
      return await keySet(header, token);
    } catch (error) {
      if (TOKEN_FAULTS.some((fault) => error instanceof fault)) throw error;
      throw new IdentityProviderUnavailable(`fetching the JWKS failed: ${describe(error)}`);
    }
  };

  private remoteKeySet(): Promise<JWTVerifyGetKey> {
    if (this.keySet) return Promise.resolve(this.keySet);
    // One discovery at a time; a failure is not cached, so the next request tries again.
    this.discovering ??= this.discoverJwksUrl()
      .then((url) => {
        this.keySet = createRemoteJWKSet(url, {
          timeoutDuration: FETCH_TIMEOUT_MS,
          cooldownDuration: UNKNOWN_KID_REFETCH_INTERVAL_MS,
          cacheMaxAge: JWKS_MAX_AGE_MS,
        });
        return this.keySet;
      })
      .finally(() => {
        this.discovering = undefined;
      });
    return this.discovering;
  }

  private async discoverJwksUrl(): Promise<URL> {
    if (this.jwksUrlOverride) return new URL(this.jwksUrlOverride);
    const discoveryUrl = `${this.issuerUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let document: unknown;
    try {
      const response = await fetch(discoveryUrl, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      document = await response.json();
    } catch (error) {
      throw new IdentityProviderUnavailable(`OIDC discovery at ${discoveryUrl} failed: ${describe(error)}`);
    }
    const jwksUri = typeof document === 'object' && document !== null ? (document as Record<string, unknown>).jwks_uri : undefined;
    if (typeof jwksUri !== 'string' || !/^https?:\/\//.test(jwksUri)) {
      throw new IdentityProviderUnavailable(`OIDC discovery at ${discoveryUrl} gave no http(s) jwks_uri`);
    }
    return new URL(jwksUri);
  }
}

/** Duck-typed: errors from Node's fetch may come from another realm (vm contexts, Jest). */
function describe(error: unknown): string {
  const message = (value: unknown) =>
    typeof value === 'object' && value !== null && 'message' in value ? String(value.message) : String(value);
  const cause = typeof error === 'object' && error !== null && 'cause' in error && error.cause ? ` (${message(error.cause)})` : '';
  return `${message(error)}${cause}`;
}
