import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, promises as fs, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFileDropAgency, type FileDropAgencySimulator } from '../simulators/file-drop-agency/file-drop-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { eventually, startTestApp, type TestApp } from '../factories/app';
import { getTransaction, json, submit, type JsonBody } from './transactions.helpers';

/**
 * A file-drop agency (DCI, good-conduct certificates) through real folders and a real database:
 * requests go out as files, answers come back as files, and the transaction follows them.
 */
const DCI = path.resolve(__dirname, '..', '..', 'contracts', 'catalogue', 'dci');

function gccEnvelope(idNumber = '23456789'): Record<string, unknown> {
  return {
    service: 'good-conduct-certificate',
    channel: 'counter',
    centre: 'NRB-GPO',
    citizen: { idNumber },
    payload: {
      idNumber,
      fullName: 'Achieng Otieno',
      dateOfBirth: '1994-09-30',
      purpose: 'employment',
      fingerprintFormNumber: 'C24-0012345',
      collectionCentre: 'NRB-GPO',
    },
  };
}

/** The demo DCI agency, with short polls and timeouts so the suite stays quick. */
function fastCatalogue(root: string, answerTimeoutMs: number): string {
  const catalogue = path.join(root, `catalogue-${answerTimeoutMs}`);
  cpSync(DCI, path.join(catalogue, 'dci'), { recursive: true });
  const file = path.join(catalogue, 'dci', 'agency.json');
  const agency = JSON.parse(readFileSync(file, 'utf8'));
  agency.adapter = { ...agency.adapter, pollIntervalMs: 100, settleMs: 400, answerTimeoutMs };
  agency.retry = { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 200 };
  writeFileSync(file, JSON.stringify(agency, null, 2));
  return catalogue;
}

describe('a file-drop agency', () => {
  let root: string;
  let folders: string;
  let catalogueDir: string;
  let db: TestDatabase;
  let agency: FileDropAgencySimulator;
  let app: TestApp;
  let officer: string;
  const dataKey = randomBytes(32).toString('base64');

  const start = async (catalogue = catalogueDir): Promise<void> => {
    app = await startTestApp({ databaseUrl: db.url, catalogueDir: catalogue, endpointOverrides: { dci: folders }, dataKey });
    officer = await app.token('officer', { centre: 'NRB-GPO' });
  };
  const inbox = (...parts: string[]): string => path.join(folders, 'inbox', ...parts);
  const filesIn = async (folder: string): Promise<string[]> => (existsSync(folder) ? (await fs.readdir(folder)).sort() : []);
  const submitted = async (): Promise<JsonBody> => {
    const response = await submit(app, officer, gccEnvelope());
    expect(response.status).toBe(202);
    const body = await json(response);
    expect(body.state).toBe('dispatched');
    return body;
  };
  const finished = (id: string, state: string, timeoutMs = 10_000): Promise<JsonBody> =>
    eventually(() => getTransaction(app, officer, id), (t) => t.state === state, timeoutMs, 100);
  // The poller records an answer first and files it second (so a crash in between loses nothing):
  // a transaction can be completed a moment before its answer file reaches processed/.
  const filed = (folder: string, name: string): Promise<string[]> =>
    eventually(() => filesIn(folder), (names) => names.includes(name), 5000, 20);

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'kiungo-fd-e2e-'));
    folders = path.join(root, 'dci');
    // Long enough for the restart test to finish within one wait for the answer, even on a loaded
    // machine: past it, the waiting request is written again and a healthy agency takes it twice.
    catalogueDir = fastCatalogue(root, 30_000);
    db = await createTestDatabase();
    agency = await startFileDropAgency({ outbox: path.join(folders, 'outbox'), inbox: inbox(), pollMs: 50, referencePrefix: 'DCI' });
    await start();
  });

  afterEach(() => agency.setMode('healthy'));

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('is dispatched, then completed with the agency reference from the answer file; the agency saw it once', async () => {
    const { id, nextAttemptAt } = await submitted();
    expect(Date.parse(nextAttemptAt)).toBeGreaterThan(Date.now());
    const done = await finished(id, 'completed');
    expect(done.agencyReference).toMatch(/^DCI-\d{6}$/);
    expect(done.result).toMatchObject({ reference: done.agencyReference, expectedCollectionDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(done.history.map((e: { type: string }) => e.type)).toEqual(['received', 'dispatched', 'completed']);
    expect(done.history.at(-1).actor).toBe('system:file-drop');
    expect(agency.requestsFor(id)).toBe(1);
    expect(await filed(inbox('processed'), `${id}.answer.json`)).toContain(`${id}.answer.json`);
  });

  it('ignores a second copy of an answer: nothing changes and the copy is filed as processed', async () => {
    const { id } = await submitted();
    const first = await finished(id, 'completed');
    await filed(inbox('processed'), `${id}.answer.json`);
    await fs.copyFile(inbox('processed', `${id}.answer.json`), inbox(`${id}.again.json`));
    await eventually(() => filesIn(inbox()), (names) => !names.includes(`${id}.again.json`), 5000);
    expect(await filesIn(inbox('processed'))).toContain(`${id}.again.json`);
    const after = await getTransaction(app, officer, id);
    expect(after.updatedAt).toBe(first.updatedAt);
    expect(after.history.filter((e: { type: string }) => e.type === 'completed')).toHaveLength(1);
  });

  it('does not read an answer the agency is still writing in pieces', async () => {
    agency.setMode('slow-writer', { pieces: 4, pieceDelayMs: 250 });
    const { id } = await submitted();
    const done = await finished(id, 'completed');
    expect(done.agencyReference).toMatch(/^DCI-/);
    expect((await filesIn(inbox('failed'))).filter((n) => n.startsWith(id))).toEqual([]);
  });

  it('rejects with the agency reason when the answer says rejected', async () => {
    agency.setMode('reject');
    const { id } = await submitted();
    const done = await finished(id, 'rejected');
    expect(done.lastError).toEqual({ code: 'RECORD_FOUND', reason: 'The applicant must apply in person at DCI headquarters' });
  });

  it('moves a garbage answer to failed/ with the reason, and the transaction keeps waiting', async () => {
    agency.setMode('garbage');
    const { id } = await submitted();
    const name = `${id}.answer.json`;
    await eventually(() => filesIn(inbox('failed')), (names) => names.includes(`${name}.reason.txt`), 5000);
    expect(await fs.readFile(inbox('failed', `${name}.reason.txt`), 'utf8')).toMatch(/unreadable json answer/);
    expect((await getTransaction(app, officer, id)).state).toBe('dispatched');
  });

  it('moves an answer naming no transaction of this agency to failed/', async () => {
    const stranger = '00000000-0000-4000-8000-000000000000';
    const answer = { transactionId: stranger, status: 'accepted', reference: 'DCI-999999' };
    await fs.writeFile(inbox('.stranger.tmp'), JSON.stringify(answer));
    await fs.rename(inbox('.stranger.tmp'), inbox('stranger.json'));
    await eventually(() => filesIn(inbox('failed')), (names) => names.includes('stranger.json.reason.txt'), 5000);
    expect(await fs.readFile(inbox('failed', 'stranger.json.reason.txt'), 'utf8')).toMatch(`no transaction ${stranger} of agency dci`);
  });

  it('loses nothing and sends nothing twice across a restart in the middle', async () => {
    // One request the agency has taken (its answer comes while Kiungo is down), one it has not.
    agency.setMode('slow', { delayMs: 1200 });
    const taken = (await submitted()).id;
    await eventually(async () => agency.requestsFor(taken), (n) => n === 1, 5000, 20);
    agency.setMode('down');
    const waiting = (await submitted()).id;
    expect(await filesIn(path.join(folders, 'outbox'))).toContain(`${waiting}.json`);

    await app.close();
    await eventually(() => filesIn(inbox()), (names) => names.includes(`${taken}.answer.json`), 5000);
    agency.setMode('healthy');
    await start();

    for (const id of [taken, waiting]) {
      const done = await finished(id, 'completed');
      expect(agency.requestsFor(id)).toBe(1);
      expect(done.history.filter((e: { type: string }) => e.type === 'dispatched')).toHaveLength(1);
    }
  });

  it('retries when no answer comes, rewriting the same request file, then joins the replay backlog', async () => {
    // The same agency with the shortest wait for an answer, so the suite stays quick.
    await app.close();
    await start(fastCatalogue(root, 1000));
    agency.setMode('down');
    const { id } = await submitted();
    const retried = await finished(id, 'retrying', 5000);
    expect(retried.lastError.code).toBe('timeout');
    const manual = await finished(id, 'manual', 5000);
    expect(manual.lastError.code).toBe('attempts_exhausted');
    expect(manual.attempts).toBe(2);
    const types = manual.history.map((e: { type: string }) => e.type);
    // DCI's service is store-and-forward: with its attempts spent it joins the replay backlog (issue 10).
    expect(types.slice(0, 6)).toEqual(['received', 'dispatched', 'retrying', 'dispatched', 'manual', 'replay_requested']);
    expect(manual.provisionalReference).toMatch(/^DCI-/);
    // Two attempts, one request file: a retry replaces the file the agency has not taken.
    expect((await filesIn(path.join(folders, 'outbox'))).filter((n) => n.startsWith(id))).toEqual([`${id}.json`]);
  }, 20_000);
});
