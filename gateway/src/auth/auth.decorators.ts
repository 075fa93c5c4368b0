import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ANONYMOUS_REQUIREMENT, ApiProblemResponse, SWAGGER_SECURITY_KEY } from '../docs/problem.schema';
import type { Principal } from './principal';
import type { Role } from './roles';

export const ROLES_KEY = 'kiungo:roles';
export const IS_PUBLIC_KEY = 'kiungo:public';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the AuthGuard once the bearer token is verified; absent on @Public() routes. */
    principal?: Principal;
  }
}

/**
 * The caller must hold at least ONE of these roles (403 otherwise). On a controller it applies
 * to every handler; on a handler it replaces the controller's list. Without @Roles a route only
 * needs a valid token. `admin` is not a wildcard: list it where admins belong.
 */
export function Roles(...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiProblemResponse(401, 'Missing, expired or invalid bearer token'),
    ApiProblemResponse(403, `Needs one of the roles: ${roles.join(', ')}`),
  );
}

/** No token needed (health, docs). In the OpenAPI document the operation lists no security. */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), PublicInOpenApi());
}

/**
 * Marks the operation as needing no token in the OpenAPI document. @nestjs/swagger has no
 * decorator for that and drops an empty list on a handler, so the anonymous requirement `{}`
 * is recorded and docs/openapi.ts turns it into `security: []` (docs spec checks both).
 */
function PublicInOpenApi(): MethodDecorator & ClassDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    Reflect.defineMetadata(SWAGGER_SECURITY_KEY, [ANONYMOUS_REQUIREMENT], descriptor ? descriptor.value : target);
  };
}

/** The verified caller: `handler(@CurrentPrincipal() principal: Principal)`. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
  // Only reachable on a @Public() route: a programming error, not the caller's.
  if (!principal) throw new Error('@CurrentPrincipal() used on a route without authentication');
  return principal;
});
