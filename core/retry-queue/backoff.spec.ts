import type { RetryPolicy } from '../../contracts/src/catalogue.types';
import { RETRY_DELAY_FLOOR_MS, retryDelayMs } from './backoff';

const policy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 30_000 };
const always = (value: number) => () => value;

describe('retryDelayMs', () => {
  it('grows exponentially from baseDelayMs while under the cap (top of the jitter range)', () => {
    const nearOne = always(0.999_999);
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(attempt, policy, nearOne))).toEqual([999, 1_999, 3_999, 7_999, 15_999]);
  });

  it('draws uniformly below the exponential ceiling (full jitter)', () => {
    expect(retryDelayMs(3, policy, always(0.5))).toBe(2_000);
    expect(retryDelayMs(4, policy, always(0.25))).toBe(2_000);
  });

  it('is capped at maxDelayMs however many attempts were made', () => {
    expect(retryDelayMs(6, policy, always(0.999_999))).toBe(29_999);
    expect(retryDelayMs(2_000, policy, always(0.999_999))).toBe(29_999);
    expect(retryDelayMs(2_000, policy, always(0.5))).toBe(15_000);
  });

  it('never goes below the floor, even when the draw is zero', () => {
    expect(retryDelayMs(1, policy, always(0))).toBe(RETRY_DELAY_FLOOR_MS);
    expect(retryDelayMs(1, { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 }, always(0.9))).toBe(RETRY_DELAY_FLOOR_MS);
  });

  it('keeps a random() that returns 1 inside the cap', () => {
    expect(retryDelayMs(10, policy, always(1))).toBeLessThan(policy.maxDelayMs);
  });

  it('stays within [floor, maxDelayMs] for any attempt and draw', () => {
    for (let attempt = 1; attempt <= 40; attempt += 1) {
      for (const draw of [0, 0.1, 0.5, 0.9, 0.999]) {
        const delay = retryDelayMs(attempt, policy, always(draw));
        expect(delay).toBeGreaterThanOrEqual(RETRY_DELAY_FLOOR_MS);
        expect(delay).toBeLessThanOrEqual(policy.maxDelayMs);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it('rejects attempt numbers that are not positive integers', () => {
    expect(() => retryDelayMs(0, policy)).toThrow(RangeError);
    expect(() => retryDelayMs(1.5, policy)).toThrow(RangeError);
    expect(() => retryDelayMs(Number.NaN, policy)).toThrow(RangeError);
  });
});
