import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ANONYMOUS_REQUIREMENT, ApiProblemResponse, SWAGGER_SECURITY_KEY } from '../docs/problem.schema';
import { ApiExtension } from '@nestjs/swagger';
import type { Principal } from './principal';
import { rolesFor, type Action } from '../../../core/authorization';

export const ACTION_KEY = 'kiungo:action';
/** The action of an operation in the OpenAPI document: what the authorization matrix spec reads. */
export const ACTION_EXTENSION = 'x-kiungo-action';

/**
 * The operation is this action of the authorization policy (core/authorization): the guard asks
 * the policy whether the caller's roles and bindings allow it (403 otherwise), the use case asks
 * again with the resource's facts. Documents the 401, the 403 with the roles the policy allows,
 * and the action itself (`x-kiungo-action`).
 */
export function Can(action: Action): MethodDecorator {
  return applyDecorators(
    SetMetadata(ACTION_KEY, action),
    ApiExtension(ACTION_EXTENSION, action),
    ApiProblemResponse(401, 'Missing, expired or invalid bearer token'),
    ApiProblemResponse(403, `Needs one of the roles: ${rolesFor(action).join(', ')}`),
  );
}
export const IS_PUBLIC_KEY = 'kiungo:public';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the AuthGuard once the bearer token is verified; absent on @Public() routes. */
    principal?: Principal;
  }
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
