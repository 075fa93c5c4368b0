/** What feature controllers need from auth: decorators, the Principal, roles and dev tokens. */
export { Can, Public, CurrentPrincipal, ACTION_KEY, ACTION_EXTENSION, IS_PUBLIC_KEY } from './auth.decorators';
export { AuthGuard } from './auth.guard';
export { TokenVerifier, type TokenVerifierOptions } from './token-verifier';
export { type Principal, principalFromClaims } from './principal';
export { ROLES, isRole, type Role } from '../../../core/authorization/roles';
export { mintDevToken, parseLifetime, type DevTokenRequest } from './dev-token';
export { DEV_ISSUER, loadDevSigningKey } from './dev-signing-key';
