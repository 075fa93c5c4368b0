import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../../core/shared/errors';
import { authorize, type Action } from '../../../core/authorization';
import { RouteMetadata } from '../http/route-metadata';
import { ACTION_KEY, IS_PUBLIC_KEY } from './auth.decorators';
import type { Principal } from './principal';
import { TokenVerifier } from './token-verifier';

/**
 * Global guard (APP_GUARD): every HTTP route needs a valid bearer token unless marked
 * @Public(), and what the authorization policy says of its @Can(action). Failures are DomainErrors, so the
 * problem filter answers 401 (with WWW-Authenticate) or 403 like any other error.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly routes: RouteMetadata<{ isPublic: boolean; action: Action | undefined }>;

  constructor(
    reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {
    this.routes = new RouteMetadata((handler, controller) => ({
      isPublic: reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [handler, controller]) === true,
      action: reflector.get<Action | undefined>(ACTION_KEY, handler),
    }));
  }

  /** Synchronous when the token was verified before (the verifier's cache): no promise for the common request. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // Message-bus handlers (Redis transport between instances) are not called by users.
    if (context.getType() !== 'http') return true;
    const { isPublic, action } = this.routes.of(context);
    if (isPublic) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request.headers.authorization);
    const known = this.verifier.remembered(token);
    if (known) return admit(request, known, action);
    return this.verifier.verify(token).then((principal) => admit(request, principal, action));
  }
}

function admit(request: FastifyRequest, principal: Principal, action: Action | undefined): true {
  request.principal = principal;
  // The policy decides with what the token says; the use case decides again with the resource's facts.
  // A route without an action needs a valid token only (the authorization matrix spec refuses one).
  if (action) authorize(principal, action);
  return true;
}

function bearerToken(header: string | undefined): string {
  if (!header) {
    throw new DomainError('unauthenticated', 'missing-token', 'This operation needs a bearer token in the Authorization header.');
  }
  const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
  if (!match) {
    throw new DomainError('unauthenticated', 'invalid-token', 'The Authorization header must be "Bearer <token>".');
  }
  return match[1];
}
