import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { startTestApp, type TestApp } from '../factories/app';
import { describeWithBrowser, startBrowser, type TestBrowser } from '../factories/browser';
import { inNairobi as at, SettableClock } from '../factories/clock';
import { call, centreCode, createCentre, ID_CARD, queueCatalogue, takeTicket } from './queue.helpers';
import { json, nrbEnvelope, submit } from './transactions.helpers';

/**
 * The citizens' pages in a real browser (Debian's Chromium through playwright-core): the hall
 * board follows its stream live, and the acknowledgment a citizen takes home shows the provisional
 * reference and a masked ID number. Screenshots (laptop and wall screen) are saved; their paths are
 * printed.
 */
describeWithBrowser('the hall board and the acknowledgment in a browser', (chromiumPath) => {
  let db: TestDatabase;
  let app: TestApp;
  let agency: RestAgencySimulator;
  let browser: TestBrowser;
  let catalogue: ReturnType<typeof queueCatalogue>;
  const clock = new SettableClock(at('2026-11-24', '10:00')); // a Tuesday morning

  beforeAll(async () => {
    db = await createTestDatabase();
    catalogue = queueCatalogue();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    app = await startTestApp({ databaseUrl: db.url, catalogueDir: catalogue.dir, clock, endpointOverrides: { nrb: agency.url } });
    browser = await startBrowser('hall board and acknowledgment', chromiumPath);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await agency?.close();
    await db?.close();
    catalogue?.remove();
  });

  it('shows waiting counts and the ticket just called on the hall board, live', async () => {
    const centre = centreCode();
    await createCentre(app, centre);
    const kiosk = await app.token('channel', { subject: 'kiosk-1' });
    const officer = await app.token('officer', { centre, subject: 'officer-1' });
    // A second apart: on one fixed instant the queue would order the three by their random ids.
    for (let i = 0; i < 3; i++) {
      expect((await takeTicket(app, kiosk, centre, { service: ID_CARD })).status).toBe(201);
      clock.advance(1000);
    }

    const page = await browser.newPage({ width: 1920, height: 1080 });
    await page.goto(`${app.url}/boards/${centre}`);
    await page.getByText('live', { exact: true }).waitFor();
    await expect(page.locator('#name').textContent()).resolves.toBe(`Queue Test Centre (${centre})`);
    await page.locator('#waiting tr', { hasText: ID_CARD }).getByText('3', { exact: true }).waitFor();

    expect((await call(app, 'POST', `/v1/centres/${centre}/counters/1/open`, officer)).status).toBe(201);
    const next = await call(app, 'POST', `/v1/centres/${centre}/counters/1/call-next`, officer);
    expect(next.body.ticket.number).toBe('A001');

    // Pushed by the stream, not by reloading: the new call is highlighted and the count drops.
    const fresh = page.locator('#called tr.fresh');
    await fresh.getByText('A001', { exact: true }).waitFor();
    await expect(fresh.textContent()).resolves.toContain('counter 1');
    await page.locator('#waiting tr', { hasText: ID_CARD }).getByText('2', { exact: true }).waitFor();
    await browser.screenshot(page, 'hall-board-wall');
    await page.setViewportSize({ width: 1366, height: 768 });
    await browser.screenshot(page, 'hall-board-laptop');
  });

  it('prints the acknowledgment with the provisional reference and a masked ID number', async () => {
    const operator = await app.token('operator', { subject: 'ops-wanjiru' });
    const officer = await app.token('officer', { centre: 'NRB-GPO', subject: 'officer-otieno' });
    const switched = await call(app, 'PUT', '/v1/agencies/nrb/mode', operator, { mode: 'manual', reason: 'NRB platform down since 09:10' });
    expect(switched.status).toBe(200);
    const stored = await json(await submit(app, officer, nrbEnvelope({ idNumber: '20481234' })));
    expect(stored).toMatchObject({ state: 'manual', fallback: 'store-and-forward' });

    const page = await browser.newPage();
    await page.setExtraHTTPHeaders({ authorization: `Bearer ${officer}` });
    const response = await page.goto(`${app.url}${new URL(stored.acknowledgmentUrl, app.url).pathname}`);
    expect(response?.status()).toBe(200);
    await expect(page.locator('.ref').textContent()).resolves.toBe(stored.provisionalReference);
    const text = await page.locator('body').innerText();
    expect(text).toContain('Acknowledgment of application');
    expect(text).not.toContain('20481234');
    expect(text).not.toContain('12345678'); // the envelope's citizen ID
    await browser.screenshot(page, 'acknowledgment');
  });
});
