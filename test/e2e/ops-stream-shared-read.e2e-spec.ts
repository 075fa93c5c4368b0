import { GetOpsOverview } from '../../core/ops/use-cases/ops-overview';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { startTestApp, type TestApp } from '../factories/app';

/**
 * A room of wall screens costs one overview read per period per replica, not one per viewer: the
 * /ops streams share their reads (gateway/src/ops/shared-read.ts, wired in OpsController). Six
 * viewers each receive their overviews while the real use case is counted, not replaced: every
 * read still goes to PostgreSQL. Read per viewer, six viewers would make six reads a period.
 */
describe('the /ops streams share one overview read', () => {
  let db: TestDatabase;
  let app: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp({ databaseUrl: db.url });
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  /** Opens a stream and resolves once `count` overview events arrived (or the deadline passed), then closes it. */
  async function watch(token: string, count: number, signal: AbortSignal): Promise<number> {
    const response = await fetch(`${app.url}/v1/ops/stream`, { headers: { authorization: `Bearer ${token}` }, signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let seen = 0;
    try {
      while (seen < count) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        seen = (text.match(/^event: overview$/gm) ?? []).length;
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    return seen;
  }

  it('six viewers of three overviews each cost far fewer reads than eighteen', async () => {
    const overview = app.app.get(GetOpsOverview);
    const reads = jest.spyOn(overview, 'execute');
    const token = await app.token('operator', { subject: 'ops-room-wall' });
    const viewers = 6;
    const each = 3; // the first at once, then one every 2 s
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), 30_000);
    try {
      const seen = await Promise.all(Array.from({ length: viewers }, () => watch(token, each, deadline.signal)));
      expect(seen).toEqual(Array(viewers).fill(each));
    } finally {
      clearTimeout(timer);
    }
    // Unshared: one read per viewer per overview, 18. Shared: one per period, plus one where a
    // viewer's tick falls outside the last read's second (viewers open a few ms apart).
    expect(reads.mock.calls.length).toBeGreaterThanOrEqual(each);
    expect(reads.mock.calls.length).toBeLessThanOrEqual((viewers * each) / 2);
    reads.mockRestore();
  });
});
