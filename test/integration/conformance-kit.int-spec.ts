/**
 * The conformance kit (`npm run adapter:check`) as a function: the static check names file and
 * field, and the live run sends every ok fixture through the real adapters to the real REST and
 * SOAP simulators, including folders written by the scaffold (`npm run adapter:new`).
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkAgency, renderReport } from '../../adapters/conformance/conformance-check';
import { scaffoldAgency } from '../../adapters/conformance/scaffold';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { startSoapAgency, type SoapAgencySimulator } from '../simulators/soap-agency/soap-agency.simulator';
import { KRA_FOLDER, KRA_WSDL } from '../simulators/soap-agency/kra-test-catalogue';

const NRB_FOLDER = path.resolve(__dirname, '..', '..', 'contracts', 'catalogue', 'nrb');
const DCI_FOLDER = path.resolve(__dirname, '..', '..', 'contracts', 'catalogue', 'dci');

describe('conformance kit', () => {
  let work: string;
  let rest: RestAgencySimulator;
  let kra: SoapAgencySimulator;
  let generic: SoapAgencySimulator;

  const copyOf = (folder: string): string => {
    const copy = path.join(work, `${path.basename(folder)}-${fs.readdirSync(work).length}`);
    fs.cpSync(folder, copy, { recursive: true });
    return copy;
  };
  const editJson = (file: string, edit: (value: Record<string, unknown>) => void): void => {
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    edit(value);
    fs.writeFileSync(file, JSON.stringify(value, null, 2));
  };

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(tmpdir(), 'kiungo-conformance-'));
    rest = await startRestAgency({ referencePrefix: 'NRB' });
    kra = await startSoapAgency({ referencePrefix: 'KRA', wsdl: KRA_WSDL, path: '/soap/kra' });
    generic = await startSoapAgency({ referencePrefix: 'KEBS' });
  });
  beforeEach(() => {
    rest.reset();
    kra.reset();
    generic.reset();
  });
  afterAll(async () => {
    await Promise.all([rest.close(), kra.close(), generic.close()]);
    fs.rmSync(work, { recursive: true, force: true });
  });

  describe('static check', () => {
    it('passes the demo REST and SOAP agency folders', async () => {
      const [nrb, kraReport] = await Promise.all([checkAgency(NRB_FOLDER), checkAgency(KRA_FOLDER)]);

      expect(nrb).toMatchObject({ agencyCode: 'nrb', kind: 'rest', problems: [], runs: [], passed: true });
      expect(kraReport).toMatchObject({ agencyCode: 'kra', kind: 'soap', problems: [], passed: true });
    });

    it('names the file and the field of every problem in the agency file, in the real folder', async () => {
      const folder = copyOf(KRA_FOLDER);
      editJson(path.join(folder, 'agency.json'), (agency) => {
        (agency.adapter as Record<string, unknown>).wsdlUrl = 'http://x';
      });

      const report = await checkAgency(folder);

      expect(report.passed).toBe(false);
      expect(report.problems).toEqual([{ file: path.join(folder, 'agency.json'), pointer: '/adapter', message: 'has unknown field "wsdlUrl"' }]);
      expect(renderReport(report, false)).toContain(`${path.join(folder, 'agency.json')}: /adapter has unknown field "wsdlUrl"`);
    });

    it('refuses what the adapters no longer check by hand: a pattern that needs no u flag, an empty pointer', async () => {
      const folder = copyOf(KRA_FOLDER);
      editJson(path.join(folder, 'agency.json'), (agency) => {
        (agency.adapter as Record<string, unknown>).faultMap = [{ faultcode: 'Server', faultstringPattern: '^E5\\-', outcome: 'retry' }];
        ((agency.adapter as Record<string, Record<string, unknown>>).statusOperation).statePointer = '';
      });

      const report = await checkAgency(folder);

      expect(report.passed).toBe(false);
      expect(report.problems).toEqual([
        expect.objectContaining({ file: path.join(folder, 'agency.json'), pointer: '/adapter/faultMap/0/faultstringPattern', message: expect.stringContaining('must be a regular expression') }),
        { file: path.join(folder, 'agency.json'), pointer: '/adapter/statusOperation/statePointer', message: 'must not be empty' },
      ]);
    });

    it('reports a missing schema, a mapping to a field the schema lacks, and a fixture that fails for the wrong reason', async () => {
      const folder = copyOf(KRA_FOLDER);
      editJson(path.join(folder, 'agency.json'), (agency) => {
        const [service] = agency.services as Array<Record<string, Record<string, unknown>>>;
        (service.operation.requestMap as Record<string, string>).KraPin = '/kraPin';
      });
      const badFixtures = copyOf(KRA_FOLDER);
      editJson(path.join(badFixtures, 'fixtures', 'kra-pin-registration.request', 'expected-errors.json'), (expected) => {
        expected['missing-email.json'] = { field: '/phone', message: 'is required' };
      });
      const noSchema = copyOf(KRA_FOLDER);
      fs.rmSync(path.join(noSchema, 'schemas', 'kra-pin-registration.response.v1.json'));

      const [mapping, fixtures, schema] = await Promise.all([checkAgency(folder), checkAgency(badFixtures), checkAgency(noSchema)]);

      expect(mapping.problems).toEqual([
        expect.objectContaining({ file: path.join(folder, 'agency.json'), pointer: '/services/0/operation/requestMap/KraPin', message: expect.stringContaining('/kraPin') }),
      ]);
      expect(fixtures.problems).toEqual([
        expect.objectContaining({
          file: path.join(badFixtures, 'fixtures/kra-pin-registration.request/not-ok/missing-email.json'),
          pointer: '/phone',
          message: expect.stringContaining('/email is required'),
        }),
      ]);
      expect(schema.problems).toEqual([expect.objectContaining({ file: path.join(noSchema, 'agency.json'), pointer: '/services/0/response' })]);
    });
  });

  describe('file-drop folders', () => {
    const withFolders = (outbox: string, inbox: string): string => {
      const folder = copyOf(DCI_FOLDER);
      editJson(path.join(folder, 'agency.json'), (agency) => Object.assign(agency.adapter as Record<string, unknown>, { outbox, inbox }));
      return folder;
    };

    it.each([
      ['an outbox of /', '/', '/var/spool/kiungo/dci/inbox', '/adapter/outbox', /^is the root folder \/:/],
      ['an outbox escaping the agency folder', '../../../tmp/dci-out', 'spool/inbox', '/adapter/outbox', /leaves the agency folder/],
      ['an outbox inside the inbox', 'spool/inbox/outbox', 'spool/inbox', '/adapter/outbox', /^lies inside the inbox/],
      ['an outbox equal to the inbox once normalised', 'spool/./box/', 'spool//box', '/adapter/outbox', /^is the same folder as the inbox/],
    ])('refuses %s with the field and the reason', async (_what, outbox, inbox, pointer, message) => {
      const folder = withFolders(outbox, inbox);

      const report = await checkAgency(folder, { live: true, env: {} });

      expect(report.passed).toBe(false);
      expect(report.problems).toEqual([{ file: path.join(folder, 'agency.json'), pointer, message: expect.stringMatching(message) }]);
      expect(report.runs).toEqual([]);
    });

    it('refuses at run time, by the same check, folders an environment variable points at: nothing is written', async () => {
      const folder = withFolders('spool/outbox', 'spool/inbox');
      const inbox = path.join(work, `dci-inbox-${Date.now()}`);

      const report = await checkAgency(folder, { live: true, env: { DCI_OUTBOX_DIR: path.join(inbox, 'requests'), DCI_INBOX_DIR: inbox } });

      expect(report.problems).toEqual([]);
      expect(report.runs.length).toBeGreaterThan(0);
      expect(report.runs.every((run) => !run.passed && run.outcome === 'misconfigured' && /outbox lies inside the inbox/.test(run.detail))).toBe(true);
      expect(fs.existsSync(inbox)).toBe(false);
    });
  });

  describe('live run', () => {
    it('runs every ok fixture of a REST agency through the REST adapter and prints a pass table', async () => {
      const report = await checkAgency(NRB_FOLDER, { live: true, endpoint: rest.url, env: {} });

      expect(report.passed).toBe(true);
      expect(report.runs).toEqual([
        expect.objectContaining({ service: 'id-card-replacement', fixture: 'lost-in-nairobi.json', passed: true, outcome: 'accepted', agencyRef: 'NRB-000001' }),
        expect.objectContaining({ service: 'id-card-replacement', fixture: 'seven-digit-id.json', passed: true, outcome: 'accepted', agencyRef: 'NRB-000002' }),
      ]);
      expect(rest.stats().accepted).toBe(2);
      expect(renderReport(report, true)).toMatch(/pass\s+id-card-replacement\s+lost-in-nairobi\.json\s+accepted\s+NRB-000001\s+\d+\s+accepted with a valid result/);
    });

    it('runs the SOAP agency fixtures through the SOAP adapter, and fails when the agency rejects or is down', async () => {
      const passing = await checkAgency(KRA_FOLDER, { live: true, endpoint: kra.url, env: {} });
      kra.setMode('reject');
      const rejecting = await checkAgency(KRA_FOLDER, { live: true, endpoint: kra.url, env: {} });
      kra.setMode('down');
      const down = await checkAgency(KRA_FOLDER, { live: true, endpoint: kra.url, env: {} });

      expect(passing).toMatchObject({ passed: true, runs: [{ passed: true, agencyRef: 'KRA-000001' }, { passed: true, agencyRef: 'KRA-000002' }] });
      expect(rejecting.passed).toBe(false);
      expect(rejecting.runs.map((r) => [r.passed, r.outcome])).toEqual([
        [false, 'rejected'],
        [false, 'rejected'],
      ]);
      expect(down.runs.every((r) => !r.passed && r.outcome === 'unavailable')).toBe(true);
      expect(renderReport(down, true)).toContain('FAIL (2 of 2 fixture(s) failed live)');
    });

    it('passes scaffolded REST and SOAP folders against the matching simulators', async () => {
      const restFolder = scaffoldAgency({ kind: 'rest', agency: 'kplc', dir: work });
      const soapFolder = scaffoldAgency({ kind: 'soap', agency: 'kebs', dir: work });

      const restReport = await checkAgency(restFolder, { live: true, endpoint: rest.url, env: {} });
      const soapReport = await checkAgency(soapFolder, { live: true, endpoint: generic.url, env: {} });

      expect(restReport).toMatchObject({ passed: true, runs: [{ passed: true }, { passed: true }] });
      expect(soapReport).toMatchObject({ passed: true, runs: [{ passed: true, agencyRef: 'KEBS-000001' }, { passed: true, agencyRef: 'KEBS-000002' }] });
    });
  });
});
