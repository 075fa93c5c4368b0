import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import { callContext, probeContext, restAgencyDefinition, restService } from '../testing/agency-fixtures';
import { AgencyCallError, type CallContext } from '../agency-adapter.port';
import { codecFor } from './codecs';
import { FileDropAdapter } from './file-drop.adapter';

const TX = '3f1d2c4b-5a6e-4f70-8a9b-0c1d2e3f4a5b';

function definition(adapter: Record<string, unknown>): AgencyDefinition {
  const service = { ...restService('good-conduct-certificate', {}, 'dci'), operation: { documentType: 'GCC-APPLICATION' } };
  return { ...restAgencyDefinition({ code: 'dci', services: [service] }), adapter: { kind: 'file-drop', ...adapter } };
}

function context(agency: AgencyDefinition): CallContext {
  return callContext(agency, 5000);
}

describe('FileDropAdapter', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'kiungo-fd-adapter-'));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it.each(['json', 'xml', 'csv'] as const)('writes a %s request named by transaction id and answers pending', async (format) => {
    const agency = definition({ format, answerTimeoutMs: 60_000 });
    const adapter = new FileDropAdapter(agency, { env: {}, endpointOverride: root });
    const outcome = await adapter.submit(
      { transactionId: TX, serviceCode: 'good-conduct-certificate', payload: { idNumber: '23456789' }, attempt: 1 },
      context(agency),
    );
    expect(outcome).toMatchObject({ kind: 'pending', answerTimeoutMs: 60_000 });
    const name = `${TX}.${format}`;
    expect(await fs.readdir(path.join(root, 'outbox'))).toEqual([name]);
    const written = await codecFor(format).decodeRequest(await fs.readFile(path.join(root, 'outbox', name)));
    expect(written).toMatchObject({ transactionId: TX, service: 'good-conduct-certificate', documentType: 'GCC-APPLICATION', payload: { idNumber: '23456789' } });
  });

  it.each(['json', 'xml', 'csv'] as const)('puts the W3C trace context of the call in a %s request file', async (format) => {
    const agency = definition({ format });
    const adapter = new FileDropAdapter(agency, { env: {}, endpointOverride: root });
    await adapter.submit({ transactionId: TX, serviceCode: 'good-conduct-certificate', payload: {}, attempt: 1 }, { ...context(agency), traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    const written = await codecFor(format).decodeRequest(await fs.readFile(path.join(root, 'outbox', `${TX}.${format}`)));
    expect(written.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
  });

  it('a retry replaces the request file the agency has not taken yet: one file per transaction', async () => {
    const agency = definition({ doneFileSuffix: '.done' });
    const adapter = new FileDropAdapter(agency, { env: {}, endpointOverride: root });
    for (const attempt of [1, 2, 3]) {
      await adapter.submit({ transactionId: TX, serviceCode: 'good-conduct-certificate', payload: {}, attempt }, context(agency));
    }
    const outbox = path.join(root, 'outbox');
    expect((await fs.readdir(outbox)).sort()).toEqual([`${TX}.json`, `${TX}.json.done`]);
    expect(JSON.parse(await fs.readFile(path.join(outbox, `${TX}.json`), 'utf8')).attempt).toBe(3);
  });

  it('takes its folders from the environment variables the agency file names', async () => {
    const agency = definition({ outbox: '/nowhere/out', inbox: '/nowhere/in', outboxEnv: 'DCI_OUTBOX_DIR', inboxEnv: 'DCI_INBOX_DIR' });
    const adapter = new FileDropAdapter(agency, { env: { DCI_OUTBOX_DIR: path.join(root, 'o'), DCI_INBOX_DIR: path.join(root, 'i') } });
    expect(adapter.config).toMatchObject({ outbox: path.join(root, 'o'), inbox: path.join(root, 'i'), format: 'json', pollIntervalMs: 1000 });
  });

  it('is misconfigured without folders, and down while its folders are missing', async () => {
    expect(() => new FileDropAdapter(definition({}), { env: {} })).toThrow(AgencyCallError);
    const agency = definition({});
    const adapter = new FileDropAdapter(agency, { env: {}, endpointOverride: root });
    const probe = probeContext(5000);
    expect(await adapter.health(probe)).toMatchObject({ up: false });
    await fs.mkdir(path.join(root, 'outbox'));
    await fs.mkdir(path.join(root, 'inbox'));
    expect(await adapter.health(probe)).toMatchObject({ up: true });
  });

  it('an outbox that cannot be written is a transient failure, retried later', async () => {
    await fs.writeFile(path.join(root, 'outbox'), 'a file where the folder should be');
    const agency = definition({});
    const adapter = new FileDropAdapter(agency, { env: {}, endpointOverride: root });
    const submit = adapter.submit({ transactionId: TX, serviceCode: 'good-conduct-certificate', payload: {}, attempt: 1 }, context(agency));
    await expect(submit).rejects.toMatchObject({ code: 'unavailable' });
  });
});
