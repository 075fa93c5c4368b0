import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import { AgencyCallError, type AdapterFactoryOptions } from '../agency-adapter.port';
import { agencyRequest, callContext, restAgencyDefinition } from '../testing/agency-fixtures';
import { RestAdapter } from './rest.adapter';
import { useMockHttp } from '../testing/mock-http';

function build(agency: AgencyDefinition, opts: AdapterFactoryOptions): RestAdapter | AgencyCallError {
  try {
    return new RestAdapter(agency, opts);
  } catch (error) {
    if (error instanceof AgencyCallError) return error;
    throw error;
  }
}

describe('RestAdapter connection: endpoint, auth and configuration', () => {
  const http = useMockHttp();
  const open = (agency: AgencyDefinition, opts: AdapterFactoryOptions): RestAdapter => {
    const adapter = build(agency, { ...opts, httpDispatcher: http.options().httpDispatcher });
    if (adapter instanceof AgencyCallError) throw new Error(`unexpected configuration error: ${adapter.reason}`);
    return http.opened(adapter);
  };
  const submit = (adapter: RestAdapter, agency: AgencyDefinition) =>
    adapter.submit(agencyRequest(), callContext(agency, 5000));


  describe('auth headers', () => {
    it('bearer: Authorization from the variable named by tokenEnv', async () => {
      const agency = restAgencyDefinition({ adapter: { auth: { type: 'bearer', tokenEnv: 'NRB_TOKEN' } } });
      http.on('http://agency.test', 'POST', '/api/v1/permits', { headers: { Authorization: 'Bearer tkn-1' } }).reply(201, { reference: 'R1' });

      await expect(submit(open(agency, { env: { NRB_TOKEN: 'tkn-1' } }), agency)).resolves.toMatchObject({ kind: 'accepted' });
    });

    it('basic: user and password from their variables', async () => {
      const agency = restAgencyDefinition({ adapter: { auth: { type: 'basic', usernameEnv: 'NRB_USER', passwordEnv: 'NRB_PASS' } } });
      const expected = `Basic ${Buffer.from('kiungo:pa:ss').toString('base64')}`;
      http.on('http://agency.test', 'POST', '/api/v1/permits', { headers: { Authorization: expected } }).reply(201, { reference: 'R1' });

      await expect(submit(open(agency, { env: { NRB_USER: 'kiungo', NRB_PASS: 'pa:ss' } }), agency)).resolves.toMatchObject({ kind: 'accepted' });
    });

    it('api-key: the key in the configured header, X-API-Key by default', async () => {
      const custom = restAgencyDefinition({ adapter: { auth: { type: 'api-key', header: 'X-Agency-Key', keyEnv: 'NRB_KEY' } } });
      const standard = restAgencyDefinition({ adapter: { auth: { type: 'api-key', keyEnv: 'NRB_KEY' } } });
      http.on('http://agency.test', 'POST', '/api/v1/permits', { headers: { 'X-Agency-Key': 'k-9' } }).reply(201, { reference: 'R1' });
      http.on('http://agency.test', 'POST', '/api/v1/permits', { headers: { 'X-API-Key': 'k-9' } }).reply(201, { reference: 'R2' });

      await expect(submit(open(custom, { env: { NRB_KEY: 'k-9' } }), custom)).resolves.toMatchObject({ agencyRef: 'R1' });
      await expect(submit(open(standard, { env: { NRB_KEY: 'k-9' } }), standard)).resolves.toMatchObject({ agencyRef: 'R2' });
    });

    it('none: no Authorization header', async () => {
      const agency = restAgencyDefinition();
      http.on('http://agency.test', 'POST', '/api/v1/permits', { without: ['Authorization'] }).reply(201, { reference: 'R1' });

      await expect(submit(open(agency, { env: {} }), agency)).resolves.toMatchObject({ kind: 'accepted' });
    });

    it('a missing secret is a configuration error naming the variable, not a value', () => {
      const agency = restAgencyDefinition({ adapter: { auth: { type: 'bearer', tokenEnv: 'NRB_TOKEN' } } });

      const result = build(agency, { env: { OTHER: 'x' } });

      expect(result).toBeInstanceOf(AgencyCallError);
      expect(result).toMatchObject({ code: 'misconfigured', reason: 'environment variable NRB_TOKEN is not set' });
    });
  });

  describe('mTLS', () => {
    let folder: string;
    beforeAll(() => {
      folder = mkdtempSync(join(tmpdir(), 'kiungo-mtls-'));
      writeFileSync(join(folder, 'client.crt'), 'CERT');
      writeFileSync(join(folder, 'client.key'), 'KEY');
    });
    afterAll(() => rmSync(folder, { recursive: true, force: true }));
    const mtls = { type: 'mtls', certFileEnv: 'NRB_CERT', keyFileEnv: 'NRB_KEY_FILE', caFileEnv: 'NRB_CA' };

    it('reads certificate and key from the files named by the variables', () => {
      const agency = restAgencyDefinition({ adapter: { baseUrl: 'https://agency.test', auth: { ...mtls, caFileEnv: undefined } } });

      const result = build(agency, { env: { NRB_CERT: join(folder, 'client.crt'), NRB_KEY_FILE: join(folder, 'client.key') } });

      expect(result).toBeInstanceOf(RestAdapter);
      if (result instanceof RestAdapter) http.opened(result);
    });

    it('an unreadable file is a configuration error naming the variable', () => {
      const agency = restAgencyDefinition({ adapter: { baseUrl: 'https://agency.test', auth: mtls } });
      const env = { NRB_CERT: join(folder, 'client.crt'), NRB_KEY_FILE: join(folder, 'client.key'), NRB_CA: join(folder, 'missing.pem') };

      expect(build(agency, { env })).toMatchObject({ code: 'misconfigured', reason: 'file named by NRB_CA cannot be read (ENOENT)' });
    });

    it('needs an https endpoint', () => {
      const agency = restAgencyDefinition({ adapter: { baseUrl: 'http://agency.test', auth: { ...mtls, caFileEnv: undefined } } });
      const env = { NRB_CERT: join(folder, 'client.crt'), NRB_KEY_FILE: join(folder, 'client.key') };

      expect(build(agency, { env })).toMatchObject({ code: 'misconfigured' });
    });
  });

  describe('endpoint', () => {
    it('an endpointOverride wins over baseUrlEnv, which wins over baseUrl', async () => {
      const agency = restAgencyDefinition({ adapter: { baseUrl: 'http://file.test', baseUrlEnv: 'NRB_URL' } });
      http.on('http://override.test', 'POST', '/api/v1/permits').reply(201, { reference: 'FROM-OVERRIDE' });
      http.on('http://env.test', 'POST', '/api/v1/permits').reply(201, { reference: 'FROM-ENV' });
      http.on('http://file.test', 'POST', '/api/v1/permits').reply(201, { reference: 'FROM-FILE' });

      const overridden = open(agency, { env: { NRB_URL: 'http://env.test' }, endpointOverride: 'http://override.test' });
      await expect(submit(overridden, agency)).resolves.toMatchObject({ agencyRef: 'FROM-OVERRIDE' });
      await expect(submit(open(agency, { env: { NRB_URL: 'http://env.test' } }), agency)).resolves.toMatchObject({ agencyRef: 'FROM-ENV' });
      await expect(submit(open(agency, { env: {} }), agency)).resolves.toMatchObject({ agencyRef: 'FROM-FILE' });
    });

    it('keeps a path prefix of the base URL', async () => {
      const agency = restAgencyDefinition({ adapter: { baseUrl: 'http://agency.test/nrb/' } });
      http.on('http://agency.test', 'POST', '/nrb/api/v1/permits').reply(201, { reference: 'R1' });

      await expect(submit(open(agency, { env: {} }), agency)).resolves.toMatchObject({ agencyRef: 'R1' });
    });

    it('rejects a base URL that is missing or not http(s)', () => {
      const noUrl = restAgencyDefinition({ adapter: { baseUrl: undefined, baseUrlEnv: 'NRB_URL' } });
      const ftp = restAgencyDefinition({ adapter: { baseUrl: 'ftp://agency.test' } });

      expect(build(noUrl, { env: {} })).toMatchObject({ code: 'misconfigured', reason: expect.stringContaining('NRB_URL') });
      expect(build(ftp, { env: {} })).toMatchObject({ code: 'misconfigured' });
    });
  });
});
