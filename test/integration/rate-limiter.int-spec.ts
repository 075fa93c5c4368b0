import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { leaseSize, RedisRateLimiter } from '../../gateway/src/http/rate-limiter';
import { describeWithRedis } from '../factories/services';

/** A real client that counts the commands it sends (Redis' own statistics also count other suites). */
function countingClient(redisUrl: string): { redis: IORedis; sent: () => number; answered: () => Promise<void> } {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  let sent = 0;
  const inFlight = new Set<Promise<unknown>>();
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<IORedis['sendCommand']>) => {
    sent += 1;
    const reply = send(...args);
    const settled = Promise.resolve(reply).catch(() => undefined);
    inFlight.add(settled);
    void settled.finally(() => inFlight.delete(settled));
    return reply;
  }) as IORedis['sendCommand'];
  // Every command sent so far answered, and what the limiter does with the answers done (a macrotask later).
  const answered = async (): Promise<void> => {
    await Promise.all([...inFlight]);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { redis, sent: () => sent, answered };
}

describeWithRedis('the Redis rate limiter shared by replicas', (redisUrl) => {
  let client: ReturnType<typeof countingClient>;
  let redis: IORedis;
  beforeAll(async () => {
    client = countingClient(redisUrl);
    redis = client.redis;
    await redis.ping();
  });
  afterAll(() => redis.disconnect());

  it('lets two replicas together through one budget, to within a lease each', async () => {
    const prefix = `kiungo-test-${randomUUID().slice(0, 8)}:rate-limit`;
    const limit = { perSecond: 20, burst: 200 };
    const replicas = [new RedisRateLimiter(redis, prefix), new RedisRateLimiter(redis, prefix)];
    const decisions = await Promise.all(Array.from({ length: 600 }, (_, i) => replicas[i % 2].take('client-a', limit)));
    const allowed = decisions.filter((d) => d.allowed).length;
    expect(allowed).toBeGreaterThanOrEqual(limit.burst - 2 * leaseSize(limit));
    expect(allowed).toBeLessThanOrEqual(limit.burst);
    expect(decisions.find((d) => !d.allowed)).toEqual({ allowed: false, retryAfterSeconds: expect.any(Number) });
    // Another client has its own budget.
    expect(await replicas[0].take('client-b', limit)).toEqual({ allowed: true });
  });

  it('asks Redis once per lease, not once per request, for a busy client', async () => {
    const limiter = new RedisRateLimiter(redis, `kiungo-test-${randomUUID().slice(0, 8)}:rate-limit`);
    const limit = { perSecond: 1000, burst: 5000 };
    await limiter.take('warm-up', limit);
    const before = client.sent();
    for (let i = 0; i < 100; i++) expect(await limiter.take('busy-client', limit)).toEqual({ allowed: true });
    expect(leaseSize(limit)).toBe(10);
    // One per lease, the last one's successor included: it is asked for while half of the lease in hand is left.
    expect(client.sent() - before).toBe(100 / leaseSize(limit) + 1);
  });

  it('asks for the next lease while half of the one in hand is left, so a busy client never waits for Redis', async () => {
    const limiter = new RedisRateLimiter(redis, `kiungo-test-${randomUUID().slice(0, 8)}:rate-limit`);
    const limit = { perSecond: 1000, burst: 5000 };
    expect(await limiter.take('steady-client', limit)).toEqual({ allowed: true }); // the first lease is waited for
    const before = client.sent();
    for (let i = 0; i < 5 * leaseSize(limit); i++) {
      // Given at once, not a promise: the lease was in hand.
      expect(limiter.take('steady-client', limit)).toEqual({ allowed: true });
      await client.answered();
    }
    expect(client.sent() - before).toBe(5);
  });

  it('asks for a small limit\'s one-request leases only when needed, so they stay exact', async () => {
    const limiter = new RedisRateLimiter(redis, `kiungo-test-${randomUUID().slice(0, 8)}:rate-limit`);
    const limit = { perSecond: 1, burst: 3 };
    expect(leaseSize(limit)).toBe(1);
    const decisions = [];
    for (let i = 0; i < 4; i++) {
      decisions.push(await limiter.take('small-client', limit));
      await client.answered();
    }
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
  });

  it("gives a lease up after a second, so an idle replica does not sit on another replica's budget", async () => {
    let now = 1_000_000;
    const prefix = `kiungo-test-${randomUUID().slice(0, 8)}:rate-limit`;
    const limit = { perSecond: 10, burst: 100 };
    const idle = new RedisRateLimiter(redis, prefix, () => now);
    await idle.take('client-c', limit); // leases 10, spends 1
    now += 1500;
    const before = client.sent();
    await idle.take('client-c', limit);
    expect(client.sent() - before).toBe(1);
    await idle.take('client-c', limit);
    expect(client.sent() - before).toBe(1);
  });
});
