import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '../../shared/errors';
import { InlineKey, KeyAlreadyClaimed, keyReused, type IdempotentRequest, type StoredAnswer } from '../domain/idempotent-request';
import type { IdempotencyRepository } from '../idempotency.repository';

export interface RunOnceOptions {
  /** How long a repeat waits for the first request's answer before it is told to come back. */
  waitMs: number;
  /** A claim older than this without an answer belongs to a process that died: it is taken over. */
  staleAfterMs: number;
}

export const RUN_ONCE_DEFAULTS: RunOnceOptions = { waitMs: 15_000, staleAfterMs: 120_000 };

/**
 * The one owner of Idempotency-Key (STYLE.md habit 6, as novu's interceptor): the key is
 * claimed BEFORE the request runs, so of two identical requests sent at once only the first
 * runs and the second gets its answer; a repeat later gets the stored answer; the key with
 * another request is refused (one error, `keyReused`). A request that fails stores nothing and
 * frees the key, as before: the caller may try again.
 */
export class RunOnce {
  constructor(
    private readonly keys: IdempotencyRepository,
    private readonly options: RunOnceOptions = RUN_ONCE_DEFAULTS,
  ) {}

  async run(request: IdempotentRequest, work: () => Promise<StoredAnswer>): Promise<{ answer: StoredAnswer; replayed: boolean }> {
    const deadline = performance.now() + this.options.waitMs;
    for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
      const claim = await this.keys.claim(request, this.options.staleAfterMs);
      switch (claim.kind) {
        case 'reused':
          throw keyReused();
        case 'answered':
          return { answer: claim.answer, replayed: true };
        case 'claimed':
          return { answer: await this.runClaimed(request, work), replayed: false };
        case 'in-progress':
          if (performance.now() >= deadline) {
            throw new DomainError('conflict', 'idempotency-request-in-progress', 'A request with this Idempotency-Key is still being processed; ask again in a moment.', {
              retryAfterSeconds: 1,
            });
          }
          await sleep(pause);
      }
    }
  }

  /**
   * The same contract as `run`, for work that claims `key` inside its own first statement and may
   * store the answer inside its last (see InlineKey): no statement of its own when all goes well.
   * When the key was taken already, the work wrote nothing, and `run` takes over (the stored
   * answer, a wait for the twin, or the refusal of a reused key).
   */
  async runInline(key: InlineKey, work: () => Promise<StoredAnswer>): Promise<{ answer: StoredAnswer; replayed: boolean }> {
    let answer: StoredAnswer;
    try {
      answer = await work();
    } catch (error) {
      if (error instanceof KeyAlreadyClaimed) {
        key.inline = false;
        return this.run(key.request, work);
      }
      if (key.claimed && !key.answered) await this.keys.release(key.request).catch(() => undefined);
      throw error;
    }
    if (!key.claimed) throw new Error('RunOnce.runInline: the work answered without claiming its key');
    if (!key.answered) await this.keys.answer(key.request, answer);
    return { answer, replayed: false };
  }

  private async runClaimed(request: IdempotentRequest, work: () => Promise<StoredAnswer>): Promise<StoredAnswer> {
    let answer: StoredAnswer;
    try {
      answer = await work();
    } catch (error) {
      // Nothing was answered: a repeat runs again (a repeat that waits sees the key free and claims it).
      await this.keys.release(request).catch(() => undefined);
      throw error;
    }
    await this.keys.answer(request, answer);
    return answer;
  }
}
