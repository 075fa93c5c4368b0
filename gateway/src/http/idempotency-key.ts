import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { childPointer, MAX_NESTING_DEPTH } from '../../../contracts/src';
import { NotJsonError } from '../../../core/audit/canonical-json';
import { fingerprintOf, InlineKey, type IdempotentRequest } from '../../../core/idempotency/domain/idempotent-request';
import { RunOnce } from '../../../core/idempotency/use-cases/run-once';
import { DomainError } from '../../../core/shared/errors';
import { RouteMetadata } from './route-metadata';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the IdempotencyKeyGuard: the caller's key and the request's fingerprint (hashed once, there). */
    idempotency?: IdempotentRequest;
    /** Set by the IdempotencyKeyGuard on a handler marked @IdempotencyInStatements(). */
    inlineKey?: InlineKey;
  }
}

const IN_STATEMENTS = 'kiungo:idempotency-in-statements';

/**
 * Marks a handler whose use case claims the key inside its own first statement and stores the
 * answer inside its last (core/idempotency InlineKey, RunOnce.runInline); the handler passes
 * `request.inlineKey` (left by the IdempotencyKeyGuard) to its use case.
 */
export const IdempotencyInStatements = (): MethodDecorator => SetMetadata(IN_STATEMENTS, true);

/**
 * `Idempotency-Key` for every POST that creates something, as a route guard and `answerOnce`. The
 * HTTP side only: the guard requires and checks the header and hashes the body once (after the auth
 * and rate-limit guards, before the body is validated); the handler answers through `answerOnce`,
 * where core/idempotency's RunOnce claims the key before the work runs, so a repeat (or a twin sent
 * at the same moment) gets the first answer verbatim, with `Idempotent-Replayed: true`. A guard and a
 * function rather than an interceptor: the interceptor's Observable chain cost the submit more than
 * any other part of Nest (issue 13).
 */
@Injectable()
export class IdempotencyKeyGuard implements CanActivate {
  private readonly routes: RouteMetadata<{ inStatements: boolean }>;

  constructor(reflector: Reflector) {
    this.routes = new RouteMetadata((handler) => ({ inStatements: reflector.get<boolean | undefined>(IN_STATEMENTS, handler) === true }));
  }

  canActivate(context: ExecutionContext): boolean {
    prepareIdempotency(context.switchToHttp().getRequest<FastifyRequest>(), this.routes.of(context).inStatements);
    return true;
  }
}

/** Checks the header and the body's depth, hashes the body once, and leaves the key on the request (and an InlineKey when `inStatements`). */
function prepareIdempotency(request: FastifyRequest, inStatements: boolean): void {
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
  const idempotent: IdempotentRequest = {
    scope: request.principal?.subject ?? 'anonymous',
    key,
    route: `${request.method} ${routeOf(request)}`,
    fingerprint: fingerprintOfBody(request.body),
  };
  request.idempotency = idempotent;
  if (inStatements) request.inlineKey = new InlineKey(idempotent);
}

/**
 * The route with its path parameters filled in (`/v1/centres/NRB-GPO/tickets`): the same key and
 * body sent to another centre's path is another request (422 reused), not a replay of the first
 * centre's answer. A route without parameters is its pattern, as stored before.
 */
function routeOf(request: FastifyRequest): string {
  const pattern = request.routeOptions?.url;
  if (pattern === undefined) return request.url;
  const params = request.params as Record<string, string | undefined> | undefined;
  return params ? pattern.replace(/:(\w+)/g, (name: string, param: string) => params[param] ?? name) : pattern;
}

/**
 * The body's fingerprint, or a 422 for the one thing JSON.parse makes that canonicalJson refuses:
 * a number too large for a double (1e400), read as Infinity. Before the body's schema refuses it.
 */
function fingerprintOfBody(body: unknown): string {
  try {
    return fingerprintOf(body);
  } catch (error) {
    if (!(error instanceof NotJsonError)) throw error;
    const field = error.steps.reduce<string>(childPointer, '');
    const message = /^-?Infinity$/.test(error.what) ? 'is a number too large to read' : `has no JSON form (${error.what})`;
    throw new DomainError('invalid', 'validation-failed', 'The request body holds a value that cannot be read.', { errors: [{ field, message }] });
  }
}

/**
 * Runs the handler's `work` once per key (RunOnce, inline when the request carries an InlineKey)
 * and answers a repeat with the first answer: its status, `Idempotent-Replayed: true`, its body.
 * The status stored is the one `work` set on the reply.
 */
export async function answerOnce(runOnce: RunOnce, request: FastifyRequest, reply: FastifyReply, handle: () => Promise<unknown>): Promise<unknown> {
  const idempotent = request.idempotency;
  // Only reachable on a route without the guard: a programming error, not the caller's.
  if (!idempotent) throw new Error('answerOnce used on a route without the IdempotencyKeyGuard');
  const work = async (): Promise<{ status: number; body: unknown }> => {
    const body = await handle();
    return { status: reply.statusCode, body };
  };
  const { answer, replayed } = request.inlineKey ? await runOnce.runInline(request.inlineKey, work) : await runOnce.run(idempotent, work);
  if (replayed) {
    reply.status(answer.status);
    reply.header('Idempotent-Replayed', 'true');
  }
  return answer.body;
}

/**
 * Recursive, but never deeper than `limit` + 1 frames, so the check itself cannot overflow the
 * stack; no work list of {value, depth} pairs built per node on the way (issue 13).
 */
function nestedDeeperThan(value: unknown, limit: number, depth = 0): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > limit) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (nestedDeeperThan(item, limit, depth + 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (nestedDeeperThan(record[key], limit, depth + 1)) return true;
  return false;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
