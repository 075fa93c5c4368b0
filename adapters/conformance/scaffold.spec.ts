import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkAgency } from './conformance-check';
import { scaffoldAgency } from './scaffold';

describe('scaffoldAgency (npm run adapter:new)', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(tmpdir(), 'kiungo-scaffold-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(['rest', 'soap', 'file-drop'])('writes a %s starter folder that passes the static conformance check', async (kind) => {
    const folder = scaffoldAgency({ kind, agency: 'kebs', dir });

    const report = await checkAgency(folder);

    expect(report).toMatchObject({ agencyCode: 'kebs', kind, problems: [], passed: true });
    expect(fs.readFileSync(path.join(folder, 'README.md'), 'utf8')).toContain(`adapter.kind\`: \`${kind}\``);
    expect(fs.readdirSync(path.join(folder, 'fixtures')).sort()).toEqual(['kebs-application.request', 'kebs-application.response']);
  });

  it('gives a SOAP agency its starter WSDL and environment variable names derived from the code', () => {
    const folder = scaffoldAgency({ kind: 'soap', agency: 'ntsa-tims', dir });
    const agency = JSON.parse(fs.readFileSync(path.join(folder, 'agency.json'), 'utf8'));

    expect(agency.adapter).toMatchObject({ kind: 'soap', wsdl: 'wsdl/agency.wsdl', endpointEnv: 'NTSA_TIMS_SOAP_ENDPOINT' });
    expect(fs.readFileSync(path.join(folder, 'wsdl', 'agency.wsdl'), 'utf8')).toContain('SubmitApplication');
  });

  it('refuses an unknown kind, a bad agency code and an existing folder, writing nothing', () => {
    scaffoldAgency({ kind: 'rest', agency: 'kebs', dir });
    const before = fs.readFileSync(path.join(dir, 'kebs', 'agency.json'), 'utf8');

    expect(() => scaffoldAgency({ kind: 'ftp', agency: 'kplc', dir })).toThrow('--kind must be one of rest, soap, file-drop');
    expect(() => scaffoldAgency({ kind: 'rest', agency: 'KPLC', dir })).toThrow('--agency must be an agency code');
    expect(() => scaffoldAgency({ kind: 'soap', agency: 'kebs', dir })).toThrow('already exists');
    expect(fs.readdirSync(dir)).toEqual(['kebs']);
    expect(fs.readFileSync(path.join(dir, 'kebs', 'agency.json'), 'utf8')).toBe(before);
  });
});
