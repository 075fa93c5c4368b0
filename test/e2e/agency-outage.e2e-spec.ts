import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithBrowser, startBrowser, type TestBrowser } from '../factories/browser';
import { eventually, FAST_CATALOGUE, startTestApp, type TestApp } from '../factories/app';
import { inNairobi, RunningClock } from '../factories/clock';
import { openEventStream, type EventStream } from '../factories/event-stream';
import { bookingBody, call, centreBody, citizen, slotAt } from './bookings.helpers';
import { takeTicket } from './queue.helpers';
import { json, nrbEnvelope, submit } from './transactions.helpers';

const CENTRE = 'NRB-OUT1';
const TODAY = '2026-03-03'; // a Tuesday
const WATCH_MS = 200;

/**
 * Issue 14.1: the centre knows when an agency is down. The REST simulator is taken down until the
 * breaker has stayed open past `degradedAfterMs`: tickets for the agency's services still issue and
 * say what the citizen will get, the hall board's stream (and page, in a real browser) carries a
 * line per service in English and Swahili, and the citizens waiting with a checked-in booking or
 * booked in the next three hours get exactly one SMS each. Brought back, the backlog's replay is
 * the breaker's trial, the agency is `auto` again and the lines go away.
 */
describeWithBrowser('an agency outage at the centre', (chromiumPath) => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let app: TestApp;
  let browser: TestBrowser;
  let board: EventStream;
  let catalogueDir: string;
  let officer: string;
  let kiosk: string;
  const clock = new RunningClock(inNairobi(TODAY, '10:00'));

  const outageSms = async (): Promise<Array<{ to_hash: string; body: string }>> =>
    (await db.pool.query<{ to_hash: string; body: string }>(`SELECT to_hash, body FROM notifications WHERE template = 'agency-outage' ORDER BY id`)).rows;
  const hashOf = (n: number) => app.runtime.vault.lookupHash(citizen(n).phone);
  const lastNotices = () => board.events.filter((e) => e.event === 'notices' || e.event === 'snapshot').at(-1)?.data.notices;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The demo agency, made `degraded` after 300 ms of open breaker instead of a minute.
    catalogueDir = mkdtempSync(path.join(tmpdir(), 'kiungo-outage-catalogue-'));
    cpSync(FAST_CATALOGUE, catalogueDir, { recursive: true });
    const file = path.join(catalogueDir, 'nrb', 'agency.json');
    const definition = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...definition, replay: { ...definition.replay, degradedAfterMs: 300 } }, null, 2));
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    app = await startTestApp({ databaseUrl: db.url, catalogueDir, clock, endpointOverrides: { nrb: agency.url }, env: { KIUNGO_OUTAGE_WATCH_INTERVAL_MS: String(WATCH_MS) } });
    browser = await startBrowser('agency outage board', chromiumPath);
    const admin = await app.token('admin');
    officer = await app.token('officer', { centre: CENTRE, subject: 'officer-otieno' });
    kiosk = await app.token('channel', { subject: 'kiosk-1' });
    const services = [
      { service: 'id-card-replacement', ticketLetter: 'A', slotCapacity: 4 },
      { service: 'id-card-amendment', ticketLetter: 'B', slotCapacity: 0 },
      { service: 'id-card-status-check', ticketLetter: 'C', slotCapacity: 0 },
    ];
    expect((await call(app, 'PUT', `/v1/centres/${CENTRE}`, admin, { ...centreBody('2026-12-25', services), name: 'Huduma Centre Outage Test' })).status).toBe(201);
    // 1: booked at 11:00 (within three hours); 2: booked at 10:30 and waiting in the hall; 3: tomorrow; 4: at 16:00.
    const book = async (n: number, date: string, time: string) => {
      const response = await call(app, 'POST', '/v1/bookings', admin, bookingBody(CENTRE, slotAt(date, time), n), `book-${n}`);
      expect(response.status).toBe(201);
      return response.body.reference as string;
    };
    await book(1, TODAY, '11:00');
    const waiting = await book(2, TODAY, '10:30');
    await book(3, '2026-03-04', '10:00');
    await book(4, TODAY, '16:00');
    expect((await takeTicket(app, kiosk, CENTRE, { bookingReference: waiting })).status).toBe(201);
    board = await openEventStream(`${app.url}/v1/centres/${CENTRE}/board`);
    await board.ready;
    expect(lastNotices()).toEqual([]);
  });

  afterAll(async () => {
    board?.close();
    await browser?.close();
    await app?.close();
    await agency?.close();
    await db?.close();
    rmSync(catalogueDir, { recursive: true, force: true });
  });

  it('issues tickets while the agency is up with no notice', async () => {
    const ticket = await takeTicket(app, kiosk, CENTRE, { service: 'id-card-replacement' });
    expect(ticket.status).toBe(201);
    expect(ticket.body.agencyNotice).toBeUndefined();
  });

  it('puts a line per service on the board, in English and Swahili, once the agency is down', async () => {
    agency.setMode('down');
    for (let i = 0; i < 3; i++) expect((await submit(app, officer, { ...nrbEnvelope(), centre: CENTRE })).status).toBe(202);
    await eventually(async () => lastNotices(), (notices) => notices?.length === 3, 10_000, 100);
    // In the centre's service order.
    expect(lastNotices()).toEqual([
      expect.objectContaining({ service: 'id-card-amendment', expect: 'paper-process' }),
      {
        service: 'id-card-replacement',
        agency: 'nrb',
        mode: 'degraded',
        expect: 'provisional-reference',
        comeBackAt: null,
        text: {
          en: expect.stringMatching(/system is down\. Provisional reference only; it is submitted when the system is back\.$/),
          sw: expect.stringMatching(/haupatikani\. Utapewa namba ya muda; ombi litatumwa mfumo ukirudi\.$/),
        },
      },
      expect.objectContaining({ service: 'id-card-status-check', expect: 'come-back', comeBackAt: null }),
    ]);
  });

  it('still issues tickets, each saying what the citizen will get', async () => {
    const stored = await takeTicket(app, kiosk, CENTRE, { service: 'id-card-replacement' });
    expect(stored.status).toBe(201);
    expect(stored.body.agencyNotice).toMatchObject({ mode: 'degraded', expect: 'provisional-reference' });
    expect((await takeTicket(app, kiosk, CENTRE, { service: 'id-card-amendment' })).body.agencyNotice).toMatchObject({ expect: 'paper-process' });
    expect((await takeTicket(app, kiosk, CENTRE, { service: 'id-card-status-check' })).body.agencyNotice.text.en).toContain('please come back later');
  });

  it('sends one SMS to each citizen waiting or booked in the next hours, and only one', async () => {
    const sent = await eventually(outageSms, (rows) => rows.length >= 2, 5000, 100);
    await new Promise((resolve) => setTimeout(resolve, WATCH_MS * 5)); // several more passes of the watch
    expect((await outageSms()).map((row) => row.to_hash).sort()).toEqual([hashOf(1), hashOf(2)].sort());
    expect(sent[0].body).toMatch(/^Huduma NRB-OUT1: Replacement of a lost national ID card: the .+ system is down\. Provisional reference only/);
    expect(sent[0].body.length).toBeLessThanOrEqual(160);
    // Each went through the outbox (sent by the worker, with retries), once per outage and booking.
    const { rows: notices } = await db.pool.query<{ kind: string; status: string }>(`SELECT kind, status FROM citizen_notices WHERE notice_key LIKE 'outage:%'`);
    expect(notices).toEqual([
      { kind: 'agency-outage', status: 'sent' },
      { kind: 'agency-outage', status: 'sent' },
    ]);
  });

  it('tells a citizen whose booking comes within three hours while the outage lasts, once', async () => {
    // 13:30: citizen 4's 16:00 booking is now within the horizon; citizen 3's (another day) is not.
    clock.set(inNairobi(TODAY, '13:30'));
    await eventually(outageSms, (rows) => rows.length >= 3, 5000, 100);
    await new Promise((resolve) => setTimeout(resolve, WATCH_MS * 5));
    expect((await outageSms()).map((row) => row.to_hash).sort()).toEqual([hashOf(1), hashOf(2), hashOf(4)].sort());
  });

  it('shows the line on the hall board page (screenshot)', async () => {
    const page = await browser.newPage({ width: 1920, height: 1080 });
    await page.goto(`${app.url}/boards/${CENTRE}`);
    const line = page.locator('#notices li[data-service="id-card-replacement"]');
    await line.locator('span[lang="en"]').getByText('Provisional reference only', { exact: false }).waitFor();
    await expect(line.locator('span[lang="sw"]').textContent()).resolves.toContain('Utapewa namba ya muda');
    await browser.screenshot(page, 'board-with-outage-line');
    const english = await browser.newPage();
    await english.goto(`${app.url}/boards/${CENTRE}?lang=en`);
    await english.locator('#notices li').first().waitFor();
    expect(await english.locator('#notices span[lang="sw"]').count()).toBe(0);
  });

  it('takes the lines away when the agency is back, after the backlog replay closes the breaker', async () => {
    agency.setMode('healthy');
    await eventually(async () => lastNotices(), (notices) => notices?.length === 0, 20_000, 200);
    const agencies = await json(await fetch(`${app.url}/v1/agencies/nrb`, { headers: { authorization: `Bearer ${await app.token('operator')}` } }));
    expect(agencies.mode).toBe('auto');
    const { rows } = await db.pool.query<{ ended: boolean }>(`SELECT ended_at IS NOT NULL AS ended FROM agency_outages WHERE agency_code = 'nrb'`);
    expect(rows).toEqual([{ ended: true }]);
    expect((await takeTicket(app, kiosk, CENTRE, { service: 'id-card-replacement' })).body.agencyNotice).toBeUndefined();
  });
});
