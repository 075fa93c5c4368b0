import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { MAX_NESTING_DEPTH } from '../../../contracts/src';
import { canonicalJson } from '../../../core/audit/canonical-json';
import { IdempotencyRepository } from '../../../core/idempotency/idempotency.repository';
import { DomainError } from '../../../core/shared/errors';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` for every POST that creates something: the first response to a key is stored
 * with a hash of the request, a repeat with the same body gets it back verbatim, a repeat with
 * another body is a 422. The aggregate enforces uniqueness itself (two concurrent first requests
 * create one thing); this interceptor only remembers the answer.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyRepository) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return from(this.handle(context, next));
  }

  private async handle(context: ExecutionContext, next: CallHandler): Promise<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { principal?: { subject: string } }>();
    const reply = http.getResponse<FastifyReply>();
    const key = headerValue(request.headers['idempotency-key']);
    if (!key || !KEY_FORMAT.test(key)) {
      throw new DomainError('invalid', 'idempotency-key-required', 'Send an Idempotency-Key header (1–255 visible ASCII characters) unique to this request.', {
        errors: [{ field: 'header:Idempotency-Key', message: key ? 'must be 1–255 visible ASCII characters' : 'is required' }],
      });
    }
    if (nestedDeeperThan(request.body, MAX_NESTING_DEPTH)) {
      // Refused before hashing: canonicalJson recurses, and thousands of levels overflow the stack (a 500).
      throw new DomainError('invalid', 'validation-failed', 'The request body is nested too deeply.', {
        errors: [{ field: '', message: `is nested too deeply (more than ${MAX_NESTING_DEPTH} levels)` }],
      });
    }
    const scope = request.principal?.subject ?? 'anonymous';
    const route = `${request.method} ${request.routeOptions?.url ?? request.url}`;
    const requestHash = createHash('sha256').update(canonicalJson(request.body ?? null)).digest('base64url');

    const previous = await this.store.find(scope, key);
    if (previous) return this.replay(previous, { route, requestHash }, reply);

    const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    const earlier = await this.store.remember(scope, key, { route, requestHash, status: reply.statusCode, body });
    // A concurrent request with the same key may have stored its answer first: that one stands.
    return earlier ? this.replay(earlier, { route, requestHash }, reply) : body;
  }

  private replay(stored: { route: string; requestHash: string; status: number; body: unknown }, current: { route: string; requestHash: string }, reply: FastifyReply): unknown {
    if (stored.route !== current.route || stored.requestHash !== current.requestHash) {
      throw new DomainError('invalid', 'idempotency-key-reused', 'This Idempotency-Key was already used with a different request.', {
        errors: [{ field: 'header:Idempotency-Key', message: 'already used with a different request body' }],
      });
    }
    reply.status(stored.status);
    reply.header('Idempotent-Replayed', 'true');
    return stored.body;
  }
}

/** Iterative, so that the check itself cannot overflow the stack. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const current = pending.pop()!;
    if (typeof current.value !== 'object' || current.value === null) continue;
    if (current.depth > limit) return true;
    for (const child of Object.values(current.value)) pending.push({ value: child, depth: current.depth + 1 });
  }
  return false;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
