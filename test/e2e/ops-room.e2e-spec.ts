import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { startTestApp, type TestApp } from '../factories/app';
import { describeWithBrowser, startBrowser, type TestBrowser } from '../factories/browser';
import { inNairobi, RunningClock } from '../factories/clock';
import { centreBody } from './bookings.helpers';
import { call, takeTicket } from './queue.helpers';
import { json, nrbEnvelope, submit } from './transactions.helpers';

/**
 * Issue 12.10: the operations room in a real browser. An operator signs in on /ops, sees NRB
 * healthy, then its breaker open when its simulator goes down (and the breaker-open alert fire,
 * told to a real webhook), switches it to manual with a reason from the page, sees the backlog
 * grow while applications keep coming, switches it back, and sees the backlog drain and the alert
 * resolve. Every switch is audited with the operator as actor. Screenshots' paths are printed.
 */
describeWithBrowser('the operations room in a browser', (chromiumPath) => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let app: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let webhook: Server;
  const notices: Array<Record<string, unknown>> = [];
  let operator: string;
  let officer: string;

  beforeAll(async () => {
    webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        notices.push(JSON.parse(body));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    app = await startTestApp({
      databaseUrl: db.url,
      clock: new RunningClock(inNairobi('2026-11-24', '10:00')), // a Tuesday morning, whenever CI runs
      endpointOverrides: { nrb: agency.url },
      env: {
        KIUNGO_ALERT_INTERVAL_MS: '1000',
        KIUNGO_ALERT_RULES: JSON.stringify({ agencies: { nrb: { breakerOpenSeconds: 0, backlog: 1000 } } }),
        KIUNGO_ALERT_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`,
      },
    });
    operator = await app.token('operator', { subject: 'ops-wanjiru' });
    officer = await app.token('officer', { centre: 'NRB-GPO', subject: 'officer-otieno' });
    browser = await startBrowser('operations room', chromiumPath);
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await agency?.close();
    await db?.close();
    await new Promise((resolve) => webhook?.close(resolve));
  });

  const nrb = () => page.locator('#agencies tr[data-agency="nrb"]');
  const cellText = (name: string) => nrb().locator(`td.${name}`).innerText();
  const until = async (what: string, probe: () => Promise<boolean>, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const submitMany = async (n: number, from: number) => {
    const bodies = [];
    for (let i = 0; i < n; i++) bodies.push(await json(await submit(app, officer, nrbEnvelope({ idNumber: String(30000000 + from + i) }))));
    return bodies;
  };
  const switchMode = async (mode: 'auto' | 'manual', reason: string) => {
    await nrb().getByLabel('new mode of nrb').selectOption(mode);
    await nrb().getByLabel('reason for nrb').fill(reason);
    await nrb().getByRole('button', { name: 'Switch mode' }).click();
    await page.locator('#message').getByText(`Switch nrb to ${mode}: done`).waitFor();
  };

  it('refuses the stream without a token, and signs an operator in with one', async () => {
    expect((await fetch(`${app.url}/v1/ops/stream`)).status).toBe(401);
    const officerStream = await fetch(`${app.url}/v1/ops/overview`, { headers: { authorization: `Bearer ${officer}` } });
    expect(officerStream.status).toBe(403);

    await page.goto(`${app.url}/ops`);
    await expect(page.locator('#dev-signin').isHidden()).resolves.toBe(true); // production mode: no development sign-in
    await page.locator('#token').fill(operator);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await nrb().waitFor();
    await expect(page.locator('#status').innerText()).resolves.toMatch(/^live/);
  });

  it("shows a centre's waiting tickets per service and today's figures", async () => {
    const admin = await app.token('admin');
    const created = await call(app, 'PUT', '/v1/centres/NRB-OPS', admin, {
      ...centreBody(null, [{ service: 'id-card-replacement', ticketLetter: 'A', slotCapacity: 0 }], [{ code: '1', name: 'Counter 1', services: ['id-card-replacement'] }]),
      name: 'Huduma Centre Ops Test',
    });
    expect(created.status).toBe(201);
    const kiosk = await app.token('channel', { subject: 'kiosk-ops' });
    for (let i = 0; i < 2; i++) expect((await takeTicket(app, kiosk, 'NRB-OPS', { service: 'id-card-replacement' })).status).toBe(201);
    const centre = page.locator('#centres tr[data-centre="NRB-OPS"]');
    await centre.locator('td.waiting').getByText('id-card-replacement: 2').waitFor();
    await expect(centre.innerText()).resolves.toContain('Huduma Centre Ops Test');
  });

  it('shows the agency healthy, then its breaker open when its simulator goes down, and the alert fire', async () => {
    expect((await submitMany(1, 0))[0].state).toBe('completed');
    await until('nrb auto, breaker closed, one call', async () => (await cellText('mode')).startsWith('auto') && (await cellText('breaker')).startsWith('closed') && (await cellText('calls')).startsWith('1 calls'));
    await browser.screenshot(page, 'healthy');

    agency.setMode('down');
    const failed = await submitMany(4, 10);
    // Accepted and kept for later, none completed (the agency is down).
    for (const body of failed) expect(['retrying', 'manual']).toContain(body.state);
    await until('nrb breaker open', async () => /^(open|half-open)/.test(await cellText('breaker')));
    await page.locator('#alerts tr[data-alert="breaker-open:nrb"]').getByText('firing').waitFor();
    await until('the webhook told', async () => notices.some((n) => n.rule === 'breaker-open' && n.state === 'firing'));
    expect(notices.find((n) => n.state === 'firing')).toMatchObject({ subject: 'nrb', title: '[Kiungo ALERT] breaker-open nrb' });
    await browser.screenshot(page, 'breaker-open');
  });

  it('switches the agency to manual with a reason from the page, and the backlog grows', async () => {
    await switchMode('manual', 'NRB platform down since 09:10');
    await until('nrb in manual with its reason', async () => (await cellText('mode')).includes('manual') && (await cellText('mode')).includes('NRB platform down since 09:10'));
    const stored = await submitMany(5, 100);
    expect(stored.every((body) => body.state === 'manual' && body.provisionalReference)).toBe(true);
    // The 5 new ones at least (the 4 retrying join the backlog when their next attempt finds the agency in manual).
    await until('the backlog grown to 5 or more', async () => Number(await cellText('backlog')) >= 5);
    await browser.screenshot(page, 'manual-backlog');
  });

  it('switches back to auto; the backlog drains and the alert resolves', async () => {
    agency.setMode('healthy');
    await switchMode('auto', 'NRB platform back at 09:40');
    await until('backlog drained', async () => Number(await cellText('backlog')) === 0, 30_000);
    await until('breaker closed', async () => (await cellText('breaker')).startsWith('closed'));
    await page.locator('#alerts tr[data-alert="breaker-open:nrb"]').getByText('resolved').waitFor({ timeout: 10_000 });
    await browser.screenshot(page, 'drained');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await browser.screenshot(page, 'drained-wall-screen');

    expect(agency.stats().accepted).toBeGreaterThanOrEqual(6);
    const { rows: switches } = await db.pool.query(
      `SELECT actor, data->>'to' AS mode, data->>'reason' AS reason FROM audit_events WHERE entity_type = 'agency' AND entity_id = 'nrb' AND type = 'mode_changed' ORDER BY occurred_at`,
    );
    expect(switches).toEqual([
      { actor: 'ops-wanjiru', mode: 'manual', reason: 'NRB platform down since 09:10' },
      { actor: 'ops-wanjiru', mode: 'auto', reason: 'NRB platform back at 09:40' },
    ]);
    const { rows: alertEvents } = await db.pool.query(
      `SELECT type, actor FROM audit_events WHERE entity_type = 'ops-alert' AND entity_id = 'breaker-open:nrb' ORDER BY occurred_at`,
    );
    expect(alertEvents.map((e) => e.type)).toEqual(['fired', 'resolved']);
    expect(alertEvents.every((e) => e.actor === 'system:alerts')).toBe(true);
    await until('the webhook told the resolution', async () => notices.some((n) => n.rule === 'breaker-open' && n.state === 'resolved'));
  });
});
