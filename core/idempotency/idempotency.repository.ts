import type { IdempotentRequest, StoredAnswer } from './domain/idempotent-request';

export type Claim =
  /** The key is this request's now: run it, then store its answer (or release the key on failure). */
  | { kind: 'claimed' }
  /** The same request was answered before: give that answer again. */
  | { kind: 'answered'; answer: StoredAnswer }
  /** The same request is being run by someone else right now. */
  | { kind: 'in-progress' }
  /** The key belongs to another request. */
  | { kind: 'reused' };

/**
 * The keys callers sent, claimed before their request runs (table idempotency_keys). A claim
 * is one INSERT and the answer one UPDATE, so that a caller that records its own row can write
 * both inside its own statements.
 */
export abstract class IdempotencyRepository {
  /**
   * Claims the key for this request. A claim left unanswered for longer than `staleAfterMs` (its
   * process died) is taken over by the same request.
   */
  abstract claim(request: IdempotentRequest, staleAfterMs: number): Promise<Claim>;
  abstract answer(request: IdempotentRequest, answer: StoredAnswer): Promise<void>;
  /** Gives the key up after a failure: nothing was answered, so a repeat runs again. */
  abstract release(request: IdempotentRequest): Promise<void>;
}
