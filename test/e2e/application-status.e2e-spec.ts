import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { isGsm7 } from '../../core/follow-up/gsm7';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';
import { eventually, type TestApp } from '../factories/app';
import { inNairobi, RunningClock } from '../factories/clock';
import { getTransaction, json, nrbEnvelope, submit, type JsonBody } from './transactions.helpers';
import { deployment, setMode, type Deployment } from './manual-fallback.helpers';

const SECRET = 'status-test-secret-0123456789';
const CITIZEN_PHONE = '+254712345678';
const ID_NUMBER = '23456789';

/**
 * Issue 14.4: "Where is my application?" from any phone, through Africa's Talking's formats: the
 * USSD menu's entry 4 and the STATUS keyword of an incoming SMS (answered by SMS), on two replicas
 * sharing one PostgreSQL. One screen, GSM-7, the status of that reference only, and a per-phone
 * limit on look-ups shared by both channels.
 */
describeWithPostgres('where is my application (USSD and SMS)', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let deploy: Deployment;
  let a: TestApp;
  let b: TestApp;
  let officer: string;
  let stored: JsonBody;
  const clock = new RunningClock(inNairobi('2026-03-03', '10:00'));

  async function ussd(app: TestApp, phoneNumber: string, text: string, sessionId = randomUUID()): Promise<string> {
    const response = await fetch(`${app.url}/v1/channels/ussd?key=${SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ sessionId, serviceCode: '*384*19#', phoneNumber, text }).toString(),
    });
    expect(response.status).toBe(200);
    return response.text();
  }

  /** Dials, chooses 4 and sends the reference, in one session as Africa's Talking does. */
  async function lookUp(app: TestApp, phone: string, reference: string): Promise<string> {
    const session = randomUUID();
    expect(await ussd(app, phone, '', session)).toContain('4. Where is my application?');
    expect(await ussd(app, phone, '4', session)).toMatch(/^CON Enter your application reference/);
    const screen = await ussd(app, phone, `4*${reference}`, session);
    expect(screen.startsWith('END ')).toBe(true);
    expect(isGsm7(screen)).toBe(true);
    expect(screen.length).toBeLessThanOrEqual(182);
    return screen.slice(4);
  }

  async function sms(app: TestApp, from: string, text: string, key: string | null = SECRET): Promise<number> {
    const response = await fetch(`${app.url}/v1/channels/sms${key === null ? '' : `?key=${key}`}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ from, to: '22141', text, date: '2026-03-03 10:00:00', id: `ATXid_${randomUUID().slice(0, 8)}`, linkId: 'l1', networkCode: '63902' }).toString(),
    });
    return response.status;
  }

  const repliesTo = async (phone: string): Promise<string[]> => {
    const { rows } = await db.pool.query<{ body: string; to_hash: string }>(`SELECT body, to_hash FROM notifications WHERE template = 'application-status' ORDER BY id`);
    return rows.filter((row) => row.to_hash === a.runtime.vault.lookupHash(phone)).map((row) => row.body);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    deploy = deployment(db);
    const env = { KIUNGO_USSD_SECRET: SECRET };
    a = await deploy.start(agency.url, { clock, env });
    b = await deploy.start(agency.url, { clock, env });
    officer = await a.token('officer', { centre: 'NRB-GPO', subject: 'officer-otieno' });
    expect((await setMode(a, await a.token('operator'), { mode: 'manual', reason: 'NRB platform down' })).status).toBe(200);
    stored = await eventually(
      () => submit(b, officer, { ...nrbEnvelope({ idNumber: ID_NUMBER }), citizen: { idNumber: ID_NUMBER, phone: CITIZEN_PHONE } }).then(json),
      (body) => body.state === 'manual',
      3000,
    );
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await agency?.close();
    await db?.close();
    if (deploy) rmSync(deploy.dataDir, { recursive: true, force: true });
  });

  it('answers the provisional reference by USSD, typed as on a keypad, with its status and nothing personal', async () => {
    const ref: string = stored.provisionalReference;
    const screen = await lookUp(a, CITIZEN_PHONE, ref.toLowerCase().replace(/-/g, ''));
    expect(screen).toBe(`Huduma: ${ref} is received. The agency system is down; it will be submitted when it is back. You will get an SMS.`);
    expect(screen).not.toContain(ID_NUMBER.slice(-4));
    expect(await lookUp(b, CITIZEN_PHONE, 'NRB-ZZZZ-ZZ')).toBe('Huduma: no application has reference NRB-ZZZZ-ZZ. Check it and try again.');
  });

  it('answers STATUS <reference> by SMS with the same text, from any phone', async () => {
    const ref: string = stored.provisionalReference;
    expect(await sms(b, '0722000222', `status ${ref}`)).toBe(204);
    expect(await repliesTo('+254722000222')).toEqual([`Huduma: ${ref} is received. The agency system is down; it will be submitted when it is back. You will get an SMS.`]);
    expect(await sms(b, '0722000222', 'Habari?')).toBe(204);
    expect((await repliesTo('+254722000222'))[1]).toBe('Huduma: that is not a reference. Send STATUS and your reference, e.g. STATUS NRB-7K4Q-2P.');
    expect(await sms(b, '+447700900123', `STATUS ${ref}`)).toBe(204); // not a Kenyan mobile: no reply
    expect(await sms(a, '0722000222', `STATUS ${ref}`, null)).toBe(401);
    expect(await sms(a, '0722000222', `STATUS ${ref}`, 'wrong-key-0123456789')).toBe(403);
  });

  it('gives the agency reference once the replay has completed it, and answers that final reference too', async () => {
    expect((await setMode(a, await a.token('operator'), { mode: 'auto', reason: 'NRB back' })).status).toBe(200);
    const done = await eventually(() => getTransaction(a, officer, stored.id), (tx) => tx.state === 'completed', 15_000, 200);
    const screen = await lookUp(b, CITIZEN_PHONE, stored.provisionalReference);
    expect(screen).toMatch(new RegExp(`^Huduma: ${stored.provisionalReference} is (completed|ready for collection)\\. Agency ref ${done.agencyReference}\\.`));
    expect(await sms(a, '0733000333', `HALI ${done.agencyReference}`)).toBe(204);
    expect((await repliesTo('+254733000333'))[0]).toMatch(new RegExp(`^Huduma: ${done.agencyReference} is (completed|ready for collection)\\. Agency ref ${done.agencyReference}\\.`));
  });

  it('stops a phone after ten look-ups an hour, USSD and SMS together, and sends it no more SMS', async () => {
    const phone = '+254744000444';
    for (let i = 0; i < 5; i++) expect(await lookUp(i % 2 ? a : b, phone, `NRB-GUES-S${i + 2}`)).toMatch(/^Huduma: no application/);
    for (let i = 0; i < 5; i++) expect(await sms(i % 2 ? a : b, phone, `STATUS NRB-GUES-T${i + 2}`)).toBe(204);
    expect(await repliesTo(phone)).toHaveLength(5);
    expect(await lookUp(a, phone, stored.provisionalReference)).toBe('Huduma: too many status requests from this phone. Please try again in an hour.');
    expect(await sms(b, phone, `STATUS ${stored.provisionalReference}`)).toBe(204);
    expect(await repliesTo(phone)).toHaveLength(5);
    // Another phone is not affected; an hour later this one may ask again.
    expect(await lookUp(a, '+254755000555', stored.provisionalReference)).toMatch(/^Huduma: NRB-/);
    clock.advance(60 * 60_000);
    expect(await lookUp(b, phone, stored.provisionalReference)).toMatch(/^Huduma: NRB-/);
  });
});
