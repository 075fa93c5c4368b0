import { Inject, Injectable, Optional, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { normalisePhone, phoneLookupHash } from '../../../core/bookings/domain/booking';
import { DomainError } from '../../../core/shared/errors';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import type { Principal } from '../auth/principal';
import { APP_CONFIG, type AppConfig, type RateLimit, type RateLimitKey } from '../config/app-config';
import { RateLimiter, type RateDecision } from './rate-limiter';
import { RouteMetadata } from './route-metadata';

/**
 * Whose budget a route's requests count against when no token names the caller: `ip` (the
 * default for public routes: boards, the board page), `phone` (the USSD callback's `phoneNumber`),
 * or `none` (health probes, which the orchestrator calls and nobody else needs to).
 */
export type RateLimitSubject = 'ip' | 'phone' | 'none';
const RATE_LIMIT_SUBJECT = 'kiungo:rate-limit-subject';
export const RateLimitPer = (subject: RateLimitSubject) => SetMetadata(RATE_LIMIT_SUBJECT, subject);

interface Budget {
  key: string;
  limit: RateLimit;
  who: string;
}

/**
 * Global guard (APP_GUARD, after the AuthGuard): one token per request from the caller's budget.
 * A caller with a token is the client it names (`azp`) and its subject, limited by the most
 * generous limit among its roles (read from the principal only); a public route counts per IP,
 * the USSD callback per phone (its keyed hash: no phone number is stored). Over budget: 429
 * `too-many-requests` with Retry-After, through the problem filter like every error.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly routes: RouteMetadata<{ subject: RateLimitSubject }>;

  constructor(
    reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly limiter?: RateLimiter,
    @Optional() private readonly vault?: PersonalDataVault,
  ) {
    this.routes = new RouteMetadata((handler, controller) => ({
      subject: reflector.getAllAndOverride<RateLimitSubject | undefined>(RATE_LIMIT_SUBJECT, [handler, controller]) ?? ('ip' as const),
    }));
  }

  /** Synchronous when the limiter decides without waiting (RateLimiter.take): no promise for the common request. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const limits = this.config.abuse.rateLimits;
    if (context.getType() !== 'http' || !this.limiter || !limits) return true;
    const { subject } = this.routes.of(context);
    if (subject === 'none') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const budget = this.budgetOf(request, subject, limits);
    const decision = this.limiter.take(budget.key, budget.limit);
    return decision instanceof Promise ? decision.then((settled) => admit(settled, budget)) : admit(decision, budget);
  }

  private budgetOf(request: FastifyRequest, subject: 'ip' | 'phone', limits: Readonly<Record<RateLimitKey, RateLimit>>): Budget {
    if (request.principal) return { key: `client:${request.principal.client ?? ''}:${request.principal.subject}`, limit: roleLimit(request.principal, limits), who: 'client' };
    const phone = subject === 'phone' ? phoneIn(request.body) : undefined;
    if (phone !== undefined && this.vault) return { key: `phone:${phoneLookupHash(this.vault, normalisePhone(phone))}`, limit: limits.phone, who: 'phone' };
    return { key: `ip:${request.ip}`, limit: limits.public, who: 'address' };
  }
}

function admit(decision: RateDecision, budget: Budget): true {
  if (decision.allowed) return true;
  throw new DomainError('rate_limited', 'too-many-requests', `Too many requests from this ${budget.who}. Try again in ${decision.retryAfterSeconds} s.`, {
    retryAfterSeconds: decision.retryAfterSeconds,
  });
}

/** The most generous limit among the caller's roles; `default` when it holds none that has one. */
export function roleLimit(principal: Pick<Principal, 'roles'>, limits: Readonly<Record<RateLimitKey, RateLimit>>): RateLimit {
  let best: RateLimit | undefined;
  for (const role of principal.roles) {
    const limit = limits[role];
    if (!best || limit.perSecond > best.perSecond || (limit.perSecond === best.perSecond && limit.burst > best.burst)) best = limit;
  }
  return best ?? limits.default;
}

function phoneIn(body: unknown): string | undefined {
  const phone = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).phoneNumber : undefined;
  return typeof phone === 'string' && phone !== '' ? phone : undefined;
}
