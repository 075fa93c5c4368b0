import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { leaseSize, RedisRateLimiter } from '../../gateway/src/http/rate-limiter';
import { describeWithRedis } from '../factories/services';

/** A real client that counts the commands it sends (Redis' own statistics also count other suites). */
function countingClient(redisUrl: string): { redis: IORedis; sent: () => number } {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  let sent = 0;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<IORedis['sendCommand']>) => {
    sent += 1;
    return send(...args);
  }) as IORedis['sendCommand'];
  return { redis, sent: () => sent };
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
    expect(client.sent() - before).toBe(100 / leaseSize(limit));
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

  it('never lets a client through faster than its rate when the burst is not a whole number of seconds of it', async () => {
    // 5 at once, 4 a second: the shared window must last 2 s (5 per 2 s), not 1 s (5 a second, above the rate).
    const limiter = new RedisRateLimiter(redis, `kiungo-test-${randomUUID().slice(0, 8)}:rate-limit`);
    const limit = { perSecond: 4, burst: 5 };
    expect(leaseSize(limit)).toBe(1);
    for (let i = 0; i < limit.burst; i++) expect(await limiter.take('client-d', limit)).toEqual({ allowed: true });
    const refused = await limiter.take('client-d', limit);
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 2 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // 1.1 s after the burst began, 4.4 requests' worth of the rate: the burst of 5 has used it up.
    expect(await limiter.take('client-d', limit)).toMatchObject({ allowed: false });
  });
});
