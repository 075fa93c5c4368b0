import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  let now = 0;
  const clock = (): number => now;
  beforeEach(() => {
    now = 0;
  });

  it('lets a burst through at once, then refuses when the next token is too far away', () => {
    const bucket = new TokenBucket(2, 3, clock);

    expect([bucket.reserve(0), bucket.reserve(0), bucket.reserve(0)]).toEqual([0, 0, 0]);
    expect(bucket.reserve(100)).toBeNull();
  });

  it('tells a caller how long to wait when the next token is close enough, and reserves it', () => {
    const bucket = new TokenBucket(10, 1, clock);
    bucket.reserve(0);

    expect(bucket.reserve(150)).toBeCloseTo(100);
    // The reserved token is spoken for: the next caller waits one more interval.
    expect(bucket.reserve(250)).toBeCloseTo(200);
    expect(bucket.reserve(250)).toBeNull();
  });

  it('says how long until the next token without taking one', () => {
    const bucket = new TokenBucket(4, 1, clock);
    expect(bucket.msUntilToken()).toBe(0);
    bucket.reserve(0);
    expect(bucket.msUntilToken()).toBeCloseTo(250);
    now = 100;
    expect(bucket.msUntilToken()).toBeCloseTo(150);
    expect(bucket.reserve(0)).toBeNull();
  });

  it('refills at perSecond up to burst', () => {
    const bucket = new TokenBucket(5, 2, clock);
    bucket.reserve(0);
    bucket.reserve(0);

    now = 200; // one token back
    expect(bucket.reserve(0)).toBe(0);
    expect(bucket.reserve(0)).toBeNull();

    now = 10_000; // never more than burst
    expect([bucket.reserve(0), bucket.reserve(0), bucket.reserve(0)]).toEqual([0, 0, null]);
  });

  it('does not limit without a positive rate', () => {
    const bucket = new TokenBucket(0, 0, clock);

    expect(bucket.unlimited).toBe(true);
    for (let i = 0; i < 100; i++) expect(bucket.reserve(0)).toBe(0);
  });
});
