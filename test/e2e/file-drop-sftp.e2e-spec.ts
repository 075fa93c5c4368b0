import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, promises as fs, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFileDropAgency, type FileDropAgencySimulator } from '../simulators/file-drop-agency/file-drop-agency.simulator';
import { describeWithSftpServer } from '../factories/describe-with-sftp';
import { startSftpServer, type SftpServer } from '../simulators/sftp-server/sftp-server';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { eventually, startTestApp, type TestApp } from '../factories/app';
import { getTransaction, json, submit, type JsonBody } from './transactions.helpers';

/**
 * The file-drop agency (DCI) reached over SFTP: Kiungo uploads request files to a real OpenSSH
 * server and reads the answers from it; the agency simulator works on the server's folders
 * directly, as an agency's batch job on that machine would.
 */
const DCI = path.resolve(__dirname, '..', '..', 'contracts', 'catalogue', 'dci');
const KEY_FILE_ENV = `KIUNGO_E2E_SFTP_KEY_${randomBytes(4).toString('hex').toUpperCase()}`;

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

/** The demo DCI agency moved to the SFTP server, with done-files and short polls. */
function sftpCatalogue(root: string, server: SftpServer, folders: string): string {
  const catalogue = path.join(root, 'catalogue');
  cpSync(DCI, path.join(catalogue, 'dci'), { recursive: true });
  const file = path.join(catalogue, 'dci', 'agency.json');
  const agency = JSON.parse(readFileSync(file, 'utf8'));
  agency.adapter = {
    kind: 'file-drop',
    format: 'json',
    transport: 'sftp',
    outbox: path.join(folders, 'outbox'),
    inbox: path.join(folders, 'inbox'),
    doneFileSuffix: '.done',
    pollIntervalMs: 100,
    settleMs: 300,
    answerTimeoutMs: 10_000,
    sftp: {
      host: server.host,
      port: server.port,
      username: server.username,
      privateKeyFileEnv: KEY_FILE_ENV,
      hostKeySha256: server.hostKeySha256,
      timeoutMs: 3000,
    },
  };
  agency.retry = { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 200 };
  writeFileSync(file, JSON.stringify(agency, null, 2));
  return catalogue;
}

describeWithSftpServer('a file-drop agency over SFTP', () => {
  let root: string;
  let server: SftpServer;
  let folders: string;
  let db: TestDatabase;
  let agency: FileDropAgencySimulator;
  let app: TestApp;
  let officer: string;

  const inbox = (...parts: string[]): string => path.join(folders, 'inbox', ...parts);
  const finished = (id: string, state: string, timeoutMs = 10_000): Promise<JsonBody> =>
    eventually(() => getTransaction(app, officer, id), (t) => t.state === state, timeoutMs, 100);

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'kiungo-sftp-e2e-'));
    server = await startSftpServer();
    process.env[KEY_FILE_ENV] = server.privateKeyFile;
    folders = path.join(server.root, 'dci');
    mkdirSync(inbox(), { recursive: true });
    db = await createTestDatabase();
    agency = await startFileDropAgency({
      outbox: path.join(folders, 'outbox'),
      inbox: inbox(),
      pollMs: 50,
      referencePrefix: 'DCI',
      doneFileSuffix: '.done',
    });
    app = await startTestApp({ databaseUrl: db.url, catalogueDir: sftpCatalogue(root, server, folders) });
    officer = await app.token('officer', { centre: 'NRB-GPO' });
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
    await server?.close();
    delete process.env[KEY_FILE_ENV];
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('is dispatched, then completed with the agency reference from the answer file; the agency saw it once', async () => {
    const response = await submit(app, officer, gccEnvelope());
    expect(response.status).toBe(202);
    const { id, state } = await json(response);
    expect(state).toBe('dispatched');

    const done = await finished(id, 'completed');

    expect(done.agencyReference).toMatch(/^DCI-\d{6}$/);
    expect(done.result).toMatchObject({ reference: done.agencyReference });
    expect(done.history.map((e: { type: string }) => e.type)).toEqual(['received', 'dispatched', 'completed']);
    expect(agency.requestsFor(id)).toBe(1);
    // Read over SFTP, filed on the server; its done-file is gone with it.
    await eventually(async () => existsSync(inbox('processed', `${id}.answer.json`)), Boolean, 5000, 50);
    await eventually(async () => (await fs.readdir(inbox())).filter((n) => n.startsWith(id)), (left) => left.length === 0, 5000, 50);
  });

  it('a server presenting another host key is a configuration error on the agency, not a crash', async () => {
    await app.close();
    const catalogue = sftpCatalogue(path.join(root, 'wrong-pin'), server, folders);
    const file = path.join(catalogue, 'dci', 'agency.json');
    const definition = JSON.parse(readFileSync(file, 'utf8'));
    definition.adapter.sftp.hostKeySha256 = `SHA256:${'A'.repeat(43)}`;
    writeFileSync(file, JSON.stringify(definition));
    app = await startTestApp({ databaseUrl: db.url, catalogueDir: catalogue });
    officer = await app.token('officer', { centre: 'NRB-GPO' });

    const response = await submit(app, officer, gccEnvelope());
    expect(response.status).toBe(202);
    const { id } = await json(response);
    const waiting = await getTransaction(app, officer, id);
    expect(waiting.state).toBe('retrying');
    expect(waiting.lastError).toMatchObject({ code: 'misconfigured', reason: expect.stringMatching(/host key SHA256:\S+, not the pinned hostKeySha256/) });
    const view = await fetch(`${app.url}/v1/agencies/dci`, { headers: { authorization: `Bearer ${await app.token('operator')}` } });
    expect(await json(view)).toMatchObject({ code: 'dci', lastFailure: { code: 'misconfigured' } });
    expect(agency.requestsFor(id)).toBe(0);
  });
});
