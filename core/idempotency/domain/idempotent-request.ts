import { hash } from 'node:crypto';
import { canonicalJson } from '../../audit/canonical-json';
import { DomainError } from '../../shared/errors';

/**
 * A request that creates something, under the caller's `Idempotency-Key` (DESIGN.md "API
 * conventions"): the first answer to a key is the answer to every repeat of the same request;
 * the key with another request is refused.
 */
export interface IdempotentRequest {
  /** Whose key it is (the token subject): two callers never share a key. */
  scope: string;
  key: string;
  /** The method and path, parameters filled in (`POST /v1/centres/NRB-GPO/tickets`): the same key on another path is another request. */
  route: string;
  /** The body, hashed once (sha256 of its canonical JSON): with the route, what "the same request" means. */
  fingerprint: string;
}

/** The first answer, as it is given again to a repeat. */
export interface StoredAnswer {
  status: number;
  body: unknown;
}

const bodyJson = new WeakMap<object, string>();

/**
 * The JSON of an answer's body, made once per body object: the statement that stores the answer
 * and the response that sends it share one text instead of serialising the same view twice (issue 13).
 */
export function answerJson(body: unknown): string {
  if (typeof body !== 'object' || body === null) return JSON.stringify(body ?? null);
  let json = bodyJson.get(body);
  if (json === undefined) bodyJson.set(body, (json = JSON.stringify(body)));
  return json;
}

export function fingerprintOf(body: unknown): string {
  // crypto.hash: one call, no Hash object per request (as the audit chain's hashes).
  return hash('sha256', canonicalJson(body ?? null), 'base64url');
}

/** The one refusal of a key used again with another request, wherever it is found. */
export function keyReused(): DomainError {
  return new DomainError('invalid', 'idempotency-key-reused', 'This Idempotency-Key was already used with a different request.', {
    errors: [{ field: 'header:Idempotency-Key', message: 'already used with a different request' }],
  });
}

/**
 * A key that the use case claims inside its own first statement and, when it can, answers inside
 * its last (RunOnce.runInline): a submit that calls its agency inline is then two statements, not
 * four (issue 13). `inline` false means RunOnce claimed the key itself (someone held it when the
 * first statement tried): the use case then records without a claim.
 */
export class InlineKey {
  inline = true;
  /** The first statement claimed the key. */
  claimed = false;
  /** The last statement stored the answer. */
  answered = false;

  constructor(readonly request: IdempotentRequest) {}
}

/** Thrown by a use case whose first statement found its inline key already claimed: nothing was written. */
export class KeyAlreadyClaimed extends Error {
  constructor() {
    super('the Idempotency-Key was claimed by another request');
  }
}

/** What a use case needs to store the caller's answer in its last statement. */
export interface InlineAnswer<T> {
  key: InlineKey;
  /** The answer the caller will give for this result (status and body), as it will be stored. */
  answerFor(result: T): StoredAnswer;
}
