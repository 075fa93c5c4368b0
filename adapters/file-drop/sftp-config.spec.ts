/**
 * The SFTP part of a file-drop agency file: what the schema refuses at boot (naming the field),
 * and what the adapter's config makes of it (secrets from the environment, never serialised).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CatalogueError, loadCatalogue } from '../../contracts/src';
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import { AgencyCallError } from '../agency-adapter.port';
import { parseFileDropConfig } from './file-drop-config';

const DCI = path.resolve(__dirname, '..', '..', 'contracts', 'catalogue', 'dci');
const PIN = `SHA256:${'x'.repeat(43)}`;
const SFTP = { host: 'sftp.dci.example', username: 'kiungo', privateKeyFileEnv: 'DCI_SFTP_KEY_FILE', hostKeySha256: PIN };

describe('file-drop over SFTP: configuration', () => {
  let root: string;
  let keyFile: string;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'kiungo-sftp-config-'));
    keyFile = path.join(root, 'id_ed25519');
    writeFileSync(keyFile, 'not really a key');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** The demo DCI agency with its adapter block replaced, loaded through the real catalogue loader. */
  const load = (adapter: Record<string, unknown>): AgencyDefinition | CatalogueError => {
    const catalogue = mkdtempSync(path.join(root, 'catalogue-'));
    cpSync(DCI, path.join(catalogue, 'dci'), { recursive: true });
    const file = path.join(catalogue, 'dci', 'agency.json');
    const agency = JSON.parse(readFileSync(file, 'utf8'));
    agency.adapter = { kind: 'file-drop', outbox: '/srv/kiungo/outbox', inbox: '/srv/kiungo/inbox', ...adapter };
    writeFileSync(file, JSON.stringify(agency));
    try {
      return loadCatalogue(catalogue).agency('dci')!;
    } catch (error) {
      if (error instanceof CatalogueError) return error;
      throw error;
    }
  };
  const env = (): NodeJS.ProcessEnv => ({ DCI_SFTP_KEY_FILE: keyFile });

  it('accepts an sftp agency and fills in the defaults', () => {
    const agency = load({ transport: 'sftp', sftp: SFTP }) as AgencyDefinition;
    expect(agency.adapter).toMatchObject({ transport: 'sftp', sftp: { ...SFTP, port: 22, timeoutMs: 10_000 } });

    const config = parseFileDropConfig(agency, { env: env() });

    expect(config).toMatchObject({ transport: 'sftp', outbox: '/srv/kiungo/outbox', inbox: '/srv/kiungo/inbox' });
    expect(config.sftp).toMatchObject({ host: 'sftp.dci.example', port: 22, username: 'kiungo', hostKeySha256: PIN, timeoutMs: 10_000 });
    expect(config.sftp!.credentials().privateKey?.toString()).toBe('not really a key');
    expect(JSON.stringify(config)).not.toContain('not really a key');
  });

  it.each([
    [{ transport: 'sftp' }, /\/adapter\/sftp is required/],
    [{ transport: 'sftp', sftp: { ...SFTP, hostKeySha256: 'MD5:aa:bb' } }, /\/adapter\/sftp\/hostKeySha256/],
    [{ transport: 'sftp', sftp: { ...SFTP, password: 'secret' } }, /\/adapter\/sftp has unknown field "password"/],
    [{ transport: 'sftp', sftp: { host: 'h', username: 'u', hostKeySha256: PIN } }, /\/adapter\/sftp/],
    [{ transport: 'ftp' }, /\/adapter\/transport/],
  ])('refuses %j at boot, naming the file and the field', (adapter, message) => {
    const error = load(adapter);
    expect(error).toBeInstanceOf(CatalogueError);
    expect((error as CatalogueError).message).toContain('agency.json');
    expect((error as CatalogueError).message).toMatch(message);
  });

  it('is misconfigured when the named environment variable is missing', () => {
    const agency = load({ transport: 'sftp', sftp: SFTP }) as AgencyDefinition;
    expect(() => parseFileDropConfig(agency, { env: {} })).toThrow(AgencyCallError);
    expect(() => parseFileDropConfig(agency, { env: {} })).toThrow(/DCI_SFTP_KEY_FILE is not set/);
    expect(() => parseFileDropConfig(agency, { env: { DCI_SFTP_KEY_FILE: path.join(root, 'missing') } })).toThrow(/cannot be read \(ENOENT\)/);
  });

  it('takes host and port from an sftp:// override, and local folders from a folder override', () => {
    const agency = load({ transport: 'sftp', sftp: SFTP }) as AgencyDefinition;

    const viaUrl = parseFileDropConfig(agency, { env: env(), endpointOverride: 'sftp://127.0.0.1:2222' });
    const viaFolder = parseFileDropConfig(agency, { env: env(), endpointOverride: root });

    expect(viaUrl).toMatchObject({ transport: 'sftp', outbox: '/srv/kiungo/outbox', sftp: { host: '127.0.0.1', port: 2222 } });
    expect(viaFolder).toMatchObject({ transport: 'local', outbox: path.join(root, 'outbox'), inbox: path.join(root, 'inbox') });
    expect(viaFolder.sftp).toBeUndefined();
  });

  it('keeps remote paths as written, relative to the login folder, not to the agency folder', () => {
    const agency = load({ transport: 'sftp', sftp: SFTP, outbox: 'to-dci', inbox: 'from-dci/' }) as AgencyDefinition;
    expect(parseFileDropConfig(agency, { env: env() })).toMatchObject({ outbox: 'to-dci', inbox: 'from-dci' });
  });
});
