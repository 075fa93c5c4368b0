/**
 * The config readers take the agency file's adapter and operation blocks as typed by
 * contracts/src/agency-adapter.types.ts (generated from agency-file.v1.json, so a reader cannot use
 * a field the schema lacks) and check nothing again. Here: every block the schema accepts (the ok
 * fixtures, the demo catalogue) reads without a fault, and the readers' defaults are the loader's.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defaultCatalogueDir, loadCatalogue } from '../contracts/src';
import type { AgencyFile } from '../contracts/src/agency-file.types';
import type { AgencyDefinition } from '../contracts/src/catalogue.types';
import { ADAPTER_KIND_RULES } from '../contracts/src/kinds';
import { validateMessage } from '../contracts/src/message-schemas';
import { parseFileDropConfig } from './file-drop/file-drop-config';
import { parseRestAgencyConfig, parseRestOperation } from './rest/rest-config';
import { parseSoapAgencyConfig, parseSoapOperation } from './soap/soap-config';

const OK_DIR = path.resolve(__dirname, '..', 'contracts', 'fixtures', 'agency-file', 'ok');
const okFixtures = fs
  .readdirSync(OK_DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name): [string, AgencyFile] => [name, JSON.parse(fs.readFileSync(path.join(OK_DIR, name), 'utf8')) as AgencyFile]);

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(tmpdir(), 'kiungo-config-readers-'));
  fs.writeFileSync(path.join(scratch, 'id_ed25519'), 'not really a key');
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** What the adapters make of one agency's blocks: secrets and functions left out, so configs compare as data. */
function read(agency: Pick<AgencyDefinition, 'code' | 'adapter' | 'folder'> & { services: ReadonlyArray<{ code: string; operation: Record<string, unknown> }> }): unknown {
  const { adapter } = agency;
  switch (adapter.kind) {
    case 'rest':
      return { adapter: parseRestAgencyConfig(adapter), operations: agency.services.map((s) => parseRestOperation(s.operation)) };
    case 'soap': {
      const config = parseSoapAgencyConfig(agency.code, adapter);
      return { adapter: config, operations: agency.services.map((s) => parseSoapOperation(s.code, s.operation, config)) };
    }
    case 'file-drop': {
      const env = { DCI_SFTP_KEY_FILE: path.join(scratch, 'id_ed25519'), DCI_OUTBOX_DIR: path.join(scratch, 'out'), DCI_INBOX_DIR: path.join(scratch, 'in') };
      return JSON.parse(JSON.stringify(parseFileDropConfig(agency as AgencyDefinition, { env })));
    }
    default:
      throw new Error(`no reader for adapter kind ${adapter.kind}`);
  }
}

describe('the adapters config readers', () => {
  it('covers every adapter kind with an ok fixture', () => {
    expect(new Set(okFixtures.map(([, file]) => file.adapter.kind))).toEqual(new Set(ADAPTER_KIND_RULES.keys()));
  });

  it.each(okFixtures)('read ok fixture %s as written and with the loader defaults alike', (_name, file) => {
    expect(validateMessage('agency-file', file)).toEqual([]);
    const rules = ADAPTER_KIND_RULES.get(file.adapter.kind)!;
    const folder = path.join(scratch, file.code);
    const asWritten = { code: file.code, folder, adapter: file.adapter, services: file.services };
    const withDefaults = {
      ...asWritten,
      adapter: rules.adapterWithDefaults(file.adapter),
      services: file.services.map((s) => ({ code: s.code, operation: rules.operationWithDefaults(s.operation) })),
    };

    expect(read(withDefaults)).toEqual(read(asWritten));
  });

  it('read every agency of the demo catalogue', () => {
    const catalogue = loadCatalogue(defaultCatalogueDir());
    for (const agency of catalogue.agencies) expect(() => read(agency)).not.toThrow();
  });
});
