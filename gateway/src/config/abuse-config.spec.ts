import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryRateLimiter } from '../http/rate-limiter';
import { roleLimit } from '../http/rate-limit.guard';
import { ConfigError, loadConfig } from './env.schema';

describe('abuse configuration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kiungo-abuse-config-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const load = (env: Record<string, string> = {}) => loadConfig({ KIUNGO_DATA_DIR: dataDir, ...env }).abuse;
  const problems = (env: Record<string, string>) => {
    try {
      load(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
      throw error;
    }
    return [];
  };

  it('has limits for every role, per address and per phone, and server timeouts, by default', () => {
    const abuse = load();
    expect(abuse).toMatchObject({ boardStreamsPerClient: 20, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, idleTimeoutMs: 65_000, maxUrlBytes: 4096 });
    expect(abuse.rateLimits?.channel).toEqual({ perSecond: 200, burst: 1000 });
    expect(abuse.rateLimits?.phone).toEqual({ perSecond: 0.5, burst: 30 });
  });

  it('reads limits per second, minute or hour with an optional burst, `*` for all, and `off`', () => {
    const limits = load({ KIUNGO_RATE_LIMITS: '*=5/s, officer=120/m:10, public=3/h' }).rateLimits;
    expect(limits?.channel).toEqual({ perSecond: 5, burst: 5 });
    expect(limits?.officer).toEqual({ perSecond: 2, burst: 10 });
    expect(limits?.public).toEqual({ perSecond: 3 / 3600, burst: 3 });
    expect(load({ KIUNGO_RATE_LIMITS: 'off' }).rateLimits).toBeNull();
  });

  it('names the variable for an unknown key, a bad rate, or a request timeout shorter than the headers one', () => {
    expect(problems({ KIUNGO_RATE_LIMITS: 'wizard=5/s' })).toEqual(['KIUNGO_RATE_LIMITS']);
    expect(problems({ KIUNGO_RATE_LIMITS: 'officer=fast' })).toEqual(['KIUNGO_RATE_LIMITS']);
    expect(problems({ KIUNGO_RATE_LIMITS: 'officer=0/s' })).toEqual(['KIUNGO_RATE_LIMITS']);
    expect(problems({ KIUNGO_HTTP_HEADERS_TIMEOUT_MS: '20000', KIUNGO_HTTP_REQUEST_TIMEOUT_MS: '5000' })).toEqual(['KIUNGO_HTTP_REQUEST_TIMEOUT_MS']);
    expect(problems({ KIUNGO_BOARD_STREAMS_PER_CLIENT: '0' })).toEqual(['KIUNGO_BOARD_STREAMS_PER_CLIENT']);
  });

  it('limits a caller by the most generous of its roles, and `default` when it holds none with a limit of its own', () => {
    const limits = load({ KIUNGO_RATE_LIMITS: 'officer=2/s,channel=50/s,default=1/s' }).rateLimits!;
    expect(roleLimit({ roles: ['officer', 'channel'] }, limits)).toEqual({ perSecond: 50, burst: 50 });
    expect(roleLimit({ roles: [] }, limits)).toEqual({ perSecond: 1, burst: 1 });
  });
});

describe('MemoryRateLimiter', () => {
  it('gives each key its own bucket, says when to come back, and forgets the least recently seen keys first', async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(2, () => now);
    const limit = { perSecond: 0.5, burst: 2 };
    expect(await limiter.take('a', limit)).toEqual({ allowed: true });
    expect(await limiter.take('a', limit)).toEqual({ allowed: true });
    expect(await limiter.take('a', limit)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(await limiter.take('b', limit)).toEqual({ allowed: true });
    now = 2000;
    expect(await limiter.take('a', limit)).toEqual({ allowed: true });
    // A third key pushes out the least recently used one (b), which starts full again.
    expect(await limiter.take('c', limit)).toEqual({ allowed: true });
    expect(await limiter.take('b', limit)).toEqual({ allowed: true });
    expect(await limiter.take('b', limit)).toEqual({ allowed: true });
  });
});
