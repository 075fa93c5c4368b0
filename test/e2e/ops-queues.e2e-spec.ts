import { RETRY_QUEUE_NAME } from '../../core/retry-queue/bullmq.retry-queue';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { startTestApp, type TestApp } from '../factories/app';
import { describeWithBrowser, startBrowser, type TestBrowser } from '../factories/browser';
import { describeWithRedis } from '../factories/services';

/**
 * Issue 12.4: the BullMQ board at /ops/queues (production mode, BullMQ on Redis) behind the /ops
 * sign-in: nobody without it, managers may look, only operators and admins may act on jobs; and in
 * a real browser, signing in on /ops opens the board.
 */
describeWithRedis('the queue board behind the ops sign-in (BullMQ)', (redisUrl) =>
  describeWithBrowser('the queue board behind the ops sign-in', (chromiumPath) => {
    let db: TestDatabase;
    let app: TestApp;
    let browser: TestBrowser;

    beforeAll(async () => {
      db = await createTestDatabase();
      app = await startTestApp({ databaseUrl: db.url, redisUrl });
      browser = await startBrowser('queue board', chromiumPath);
    });

    afterAll(async () => {
      await browser?.close();
      await app?.close();
      await db?.close();
    });

    const session = async (token: string) => {
      const response = await fetch(`${app.url}/ops/session`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, cookie: (response.headers.get('set-cookie') ?? '').split(';')[0] };
    };

    it('refuses the board without the sign-in, and a role that may not see it', async () => {
      const anonymous = await fetch(`${app.url}/ops/queues/api/queues`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
      expect(((await anonymous.json()) as { type: string }).type).toMatch(/ops-sign-in-required$/);
      expect((await fetch(`${app.url}/ops/queues`, { headers: { cookie: 'kiungo_ops=not-a-token' } })).status).toBe(401);
      expect((await session(await app.token('officer', { centre: 'NRB-GPO' }))).status).toBe(403);
    });

    it('lets a manager look but not act, and an operator act', async () => {
      const manager = await session(await app.token('manager'));
      expect(manager.status).toBe(204);
      expect(manager.cookie).toMatch(/^kiungo_ops=ey/);
      const raw = await fetch(`${app.url}/ops/session`, { method: 'POST', headers: { authorization: `Bearer ${await app.token('manager')}` } });
      expect(raw.headers.get('set-cookie')).toMatch(/Path=\/ops\/queues; HttpOnly; SameSite=Strict; Max-Age=28800$/);

      const page = await fetch(`${app.url}/ops/queues`, { headers: { cookie: manager.cookie } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const queues = await fetch(`${app.url}/ops/queues/api/queues`, { headers: { cookie: manager.cookie } });
      expect(queues.status).toBe(200);
      expect(JSON.stringify(await queues.json())).toContain(RETRY_QUEUE_NAME);
      const pause = () => ({ method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
      const byManager = await fetch(`${app.url}/ops/queues/api/queues/${RETRY_QUEUE_NAME}/pause`, { ...pause(), headers: { ...pause().headers, cookie: manager.cookie } });
      expect(byManager.status).toBe(403);

      const operator = await session(await app.token('operator'));
      const byOperator = await fetch(`${app.url}/ops/queues/api/queues/${RETRY_QUEUE_NAME}/resume`, { ...pause(), headers: { ...pause().headers, cookie: operator.cookie } });
      expect(byOperator.status).toBe(200);
    });

    it('opens from /ops after signing in, in a browser', async () => {
      const page = await browser.newPage();
      await page.goto(`${app.url}/ops`);
      await page.locator('#token').fill(await app.token('operator', { subject: 'ops-wanjiru' }));
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const link = page.getByRole('link', { name: 'Queue board' });
      await link.waitFor();
      await link.click();
      await page.waitForURL(`${app.url}/ops/queues**`);
      await page.getByText(RETRY_QUEUE_NAME).first().waitFor({ timeout: 15_000 });
      await browser.screenshot(page, 'queue-board');
    });
  }),
);
