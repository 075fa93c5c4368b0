import { Logger } from '@nestjs/common';
import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { DomainError } from '../../../core/shared/errors';
import type { AppConfig } from '../config/app-config';
import { DEV_ISSUER, loadDevSigningKey } from './dev-signing-key';
import { IdentityProviderUnavailable, OidcKeySource } from './oidc-key-source';
import { principalFromClaims, unstorableClaim, type Principal } from './principal';

/** Asymmetric only: an HS256 token "signed" with our public key must never pass. */
const ALGORITHMS = ['RS256', 'ES256'];
const CLOCK_TOLERANCE_SECONDS = 30;
const RETRY_AFTER_SECONDS = 5;
/**
 * Verified tokens are remembered until they expire (at most this long), because a signature check
 * costs about half a millisecond and a channel sends the same token with every request. A JWT is
 * valid until its `exp` whether checked once or a thousand times; the cap bounds the effect of a
 * key the identity provider has since withdrawn.
 */
const CACHE_MAX_AGE_MS = 5 * 60_000;
const CACHE_MAX_ENTRIES = 10_000;
/** A compact JWS: three base64url parts (RFC 7515 §7.1), with no padding, spaces or other characters. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  getKey: JWTVerifyGetKey;
}

/**
 * Turns a bearer token into a Principal, or throws a DomainError: `unauthenticated` (401) for
 * any fault of the token, `unavailable` (503) when the identity provider's keys cannot be had.
 */
export class TokenVerifier {
  private readonly logger = new Logger('TokenVerifier');
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly options: TokenVerifierOptions) {}

  /** OIDC (Keycloak) when OIDC_ISSUER_URL is set, else the development key in the data dir. */
  static fromConfig(config: AppConfig): TokenVerifier {
    if (config.oidcIssuerUrl) {
      // Keycloak's `iss` is `{base}/realms/{realm}`, never with a trailing slash; a configured one
      // would refuse every token.
      const issuer = config.oidcIssuerUrl.replace(/\/+$/, '');
      const keys = new OidcKeySource(issuer, config.oidcJwksUrl);
      return new TokenVerifier({ issuer, audience: config.oidcAudience, getKey: keys.getKey });
    }
    if (config.mode === 'production') {
      new Logger('TokenVerifier').warn('OIDC_ISSUER_URL is not set: accepting development tokens in production mode');
    }
    // Loaded on first use, so a process that never sees a token never creates a key file.
    const getKey: JWTVerifyGetKey = async () => loadDevSigningKey(config.dataDir).publicKey;
    return new TokenVerifier({ issuer: DEV_ISSUER, audience: config.oidcAudience, getKey });
  }

  async verify(token: string): Promise<Principal> {
    const known = this.remembered(token);
    if (known) return known;
    // jose decodes base64url leniently: `<token>!`, `<token>=` or a signature whose last character
    // differs only in its unused bits verify as the token itself. Only the one spelling is accepted,
    // so a token has one text (the cache's key, what any log would show).
    if (!isCanonicalCompactJws(token)) throw invalidToken('it is not a compact JWS (three base64url parts, each as base64url writes it)');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.options.getKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw this.translate(error);
    }
    // Keycloak signs ID tokens ("ID") with the same key, and with the audience mapper set to add
    // `kiungo` to them too, one would pass every other check: only access tokens ("Bearer") open the API.
    if (payload.typ !== undefined && payload.typ !== 'Bearer') {
      throw invalidToken(`it is not an access token (typ "${String(payload.typ).slice(0, 20)}")`);
    }
    const principal = principalFromClaims(payload, this.options.audience);
    if (!principal) throw invalidToken('the token has no subject');
    const unstorable = unstorableClaim(principal);
    if (unstorable) throw invalidToken(`its "${unstorable}" claim holds a NUL or an unpaired surrogate character`);
    this.remember(token, principal, payload.exp);
    return principal;
  }

  /** The principal of a token verified before and not yet past its cache time, without waiting; else undefined. */
  remembered(token: string): Principal | undefined {
    const cached = this.verified.get(token);
    if (!cached) return undefined;
    if (cached.until > Date.now()) return cached.principal;
    this.verified.delete(token);
    return undefined;
  }

  private remember(token: string, principal: Principal, exp: number | undefined): void {
    if (exp === undefined) return;
    if (this.verified.size >= CACHE_MAX_ENTRIES) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, { principal, until: Math.min(exp * 1000, Date.now() + CACHE_MAX_AGE_MS) });
  }

  /** A DomainError for what the caller or the provider did wrong; anything else is ours and passes through. */
  private translate(error: unknown): unknown {
    if (error instanceof IdentityProviderUnavailable) {
      this.logger.warn(`cannot verify tokens: ${error.message}`);
      return new DomainError(
        'unavailable',
        'identity-provider-unavailable',
        'The identity provider cannot be reached to verify the access token. Try again shortly.',
        { retryAfterSeconds: RETRY_AFTER_SECONDS },
      );
    }
    if (error instanceof errors.JWTExpired) {
      return new DomainError('unauthenticated', 'token-expired', 'The access token has expired.');
    }
    // jose's messages name the failed check ("unexpected \"aud\" claim value") and hold no secret.
    if (error instanceof errors.JOSEError) return invalidToken(error.message);
    return error;
  }
}

/**
 * The header and payload are signed as written, so another spelling of them fails the signature;
 * the signature's own spelling is checked here: its bytes written again must give the same text.
 */
function isCanonicalCompactJws(token: string): boolean {
  if (!COMPACT_JWS.test(token)) return false;
  const signature = token.slice(token.lastIndexOf('.') + 1);
  return Buffer.from(signature, 'base64url').toString('base64url') === signature;
}

function invalidToken(reason: string): DomainError {
  return new DomainError('unauthenticated', 'invalid-token', `The access token is not valid: ${reason}.`);
}
