import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../../core/shared/errors';
import { authorize, type Action } from '../../../core/authorization';
import { ACTION_KEY, IS_PUBLIC_KEY } from './auth.decorators';
import { TokenVerifier } from './token-verifier';

/**
 * Global guard (APP_GUARD): every HTTP route needs a valid bearer token unless marked
 * @Public(), and what the authorization policy says of its @Can(action). Failures are DomainErrors, so the
 * problem filter answers 401 (with WWW-Authenticate) or 403 like any other error.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Message-bus handlers (Redis transport between instances) are not called by users.
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.verifier.verify(bearerToken(request.headers.authorization));
    request.principal = principal;

    // The policy decides with what the token says; the use case decides again with the resource's facts.
    // A route without an action needs a valid token only (the authorization matrix spec refuses one).
    const action = this.reflector.get<Action | undefined>(ACTION_KEY, context.getHandler());
    if (action) authorize(principal, action);
    return true;
  }
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
