import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { CatalogueError, defaultCatalogueDir, loadCatalogue, type AgencyDefinition } from './index';

// Inside the working directory (.tmp/ is git-ignored) so that messages show cwd-relative paths, as at boot.
const scratch = path.join(process.cwd(), '.tmp', `contracts-loader-${randomUUID()}`);
let caseNo = 0;

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

type Json = Record<string, unknown>;

function requestSchema(agency: string, service: string): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://kiungo.dev/schemas/${agency}/${service}.request.v1.json`,
    type: 'object',
    additionalProperties: false,
    required: ['idNumber'],
    properties: { idNumber: { type: 'string', pattern: '^[0-9]{7,8}$', maxLength: 8 } },
  };
}

function responseSchema(agency: string, service: string): Json {
  return {
    $id: `https://kiungo.dev/schemas/${agency}/${service}.response.v1.json`,
    type: 'object',
    additionalProperties: false,
    required: ['reference'],
    properties: { reference: { type: 'string', maxLength: 64 } },
  };
}

function service(code: string, overrides: Json = {}): Json {
  return {
    code,
    name: `Service ${code}`,
    description: 'A test service.',
    request: `schemas/${code}.request.v1.json`,
    response: `schemas/${code}.response.v1.json`,
    operation: { method: 'POST', path: `/api/v1/${code}`, resultMap: { reference: '/reference' } },
    fallback: 'store-and-forward',
    bookable: false,
    feeKes: 0,
    ...overrides,
  };
}

function agency(code: string, services: Json[] = [service(`${code}-service`)], overrides: Json = {}): Json {
  return { code, name: `Agency ${code}`, adapter: { kind: 'rest', baseUrl: 'http://127.0.0.1:4999' }, services, ...overrides };
}

/** Writes an agency folder; schema files for each service are written unless listed in `skipSchemas`. */
function writeAgency(root: string, folder: string, file: Json | string, skipSchemas: string[] = []): string {
  const dir = path.join(root, folder);
  fs.mkdirSync(path.join(dir, 'schemas'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'agency.json'), typeof file === 'string' ? file : JSON.stringify(file, null, 2));
  const services = typeof file === 'string' ? [] : ((file.services as Json[] | undefined) ?? []);
  for (const svc of services) {
    const code = String(svc.code);
    const schemas = { [`schemas/${code}.request.v1.json`]: requestSchema(folder, code), [`schemas/${code}.response.v1.json`]: responseSchema(folder, code) };
    for (const [rel, schema] of Object.entries(schemas)) {
      if (!skipSchemas.includes(rel)) fs.writeFileSync(path.join(dir, rel), JSON.stringify(schema));
    }
  }
  return path.relative(process.cwd(), path.join(dir, 'agency.json'));
}

function newCatalogueDir(): string {
  const dir = path.join(scratch, `case-${++caseNo}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function loadError(dir: string): CatalogueError {
  try {
    loadCatalogue(dir);
  } catch (error) {
    if (error instanceof CatalogueError) return error;
    throw error;
  }
  throw new Error('expected the catalogue load to fail');
}

describe('the demo catalogue', () => {
  const catalogue = loadCatalogue(defaultCatalogueDir());

  it('has the demo agencies and their services, in folder order', () => {
    const codes = catalogue.agencies.map((a) => a.code);
    expect(codes).toEqual([...codes].sort());
    expect(codes).toEqual(expect.arrayContaining(['brs', 'dci', 'nrb', 'sha']));
    expect(catalogue.services().map((s) => s.code)).toEqual(
      expect.arrayContaining(['business-name-search', 'good-conduct-certificate', 'id-card-replacement', 'sha-registration']),
    );
    expect(['brs', 'nrb', 'sha'].map((code) => catalogue.agency(code)?.adapter.kind)).toEqual(['rest', 'rest', 'rest']);
    expect(catalogue.agency('dci')?.adapter).toMatchObject({ kind: 'file-drop', format: 'json', pollIntervalMs: 1000, answerTimeoutMs: 900000 });
  });

  it('looks agencies and services up by code', () => {
    expect(catalogue.agency('nrb')?.name).toBe('National Registration Bureau');
    expect(catalogue.service('sha-registration')).toMatchObject({ agencyCode: 'sha', fallback: 'store-and-forward', bookable: true, feeKes: 0 });
    expect(catalogue.agencyOfService('business-name-search')?.code).toBe('brs');
    expect(catalogue.agency('no-such-agency')).toBeUndefined();
    expect(catalogue.service('driving-licence')).toBeUndefined();
  });

  it('points services at their schemas by $id', () => {
    const service = catalogue.service('id-card-replacement')!;
    expect(service.requestSchemaId).toBe('https://kiungo.dev/schemas/nrb/id-card-replacement.request.v1.json');
    expect(service.responseSchemaId).toBe('https://kiungo.dev/schemas/nrb/id-card-replacement.response.v1.json');
    expect(catalogue.validator.requestSchema('id-card-replacement')?.$id).toBe(service.requestSchemaId);
  });

  it('fills the resilience and retry defaults, a service retry overriding only what it names', () => {
    const sha = catalogue.agency('sha')!;
    expect(sha.resilience).toEqual({
      timeoutMs: 5000,
      inlineTimeoutMs: 3000,
      concurrency: 16,
      queueLimit: 256,
      rateLimit: { perSecond: 200, burst: 50 },
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 10000, rollingCountTimeoutMs: 10000 },
    });
    expect(sha.retry).toEqual({ maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 300000 });
    expect(catalogue.service('sha-registration')!.retry).toEqual({ maxAttempts: 12, baseDelayMs: 1000, maxDelayMs: 300000 });
    expect(catalogue.service('business-name-search')!.retry).toEqual({ maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 10000 });
  });

  it('fills the REST adapter and operation defaults and keeps the mappings', () => {
    const brs = catalogue.agency('brs')!;
    expect(brs.adapter).toMatchObject({
      kind: 'rest',
      baseUrl: 'http://127.0.0.1:4103',
      baseUrlEnv: 'BRS_BASE_URL',
      idempotencyHeader: 'Idempotency-Key',
      correlationHeader: 'X-Correlation-Id',
      businessRejectStatuses: [400, 404, 409, 422],
      headers: {},
    });
    expect(catalogue.service('business-name-search')!.operation).toEqual({
      method: 'POST',
      path: '/api/v1/name-searches',
      agencyRefPointer: '/reference',
      rejectCodePointer: '/error/code',
      rejectReasonPointer: '/error/message',
      resultMap: { reference: '/reference', available: '/available' },
    });
    expect(catalogue.service('sha-registration')!.operation.requestMap).toMatchObject({ id_number: '/idNumber', household_size: '/householdSize' });
  });

  it('gives every service manual instructions, a generic text when the file has none', () => {
    expect(catalogue.service('business-name-search')!.manualInstructions).toContain('Business Registration Service paper process');
    expect(catalogue.service('id-card-replacement')!.manualInstructions).toContain('form 136A');
  });

  it('records where each agency came from', () => {
    const nrb = catalogue.agency('nrb')!;
    expect(nrb.folder).toBe(path.join(defaultCatalogueDir(), 'nrb'));
    expect(nrb.sourceFile).toBe(path.join(defaultCatalogueDir(), 'nrb', 'agency.json'));
  });

  it('cannot be changed by its readers', () => {
    expect(() => (catalogue.agencies as AgencyDefinition[]).push(catalogue.agencies[0])).toThrow(TypeError);
    expect(() => {
      (catalogue.service('id-card-replacement')!.retry as { maxAttempts: number }).maxAttempts = 1;
    }).toThrow(TypeError);
    expect(() => {
      (catalogue.validator.requestSchema('id-card-replacement') as Json).type = 'string';
    }).toThrow(TypeError);
  });
});

describe('a broken catalogue', () => {
  it('names the file and the field of an unknown adapter kind', () => {
    const dir = newCatalogueDir();
    const file = writeAgency(dir, 'nrb', agency('nrb', undefined, { adapter: { kind: 'ftp', baseUrl: 'http://127.0.0.1:1' } }));
    expect(loadError(dir).message).toContain(`${file}: /adapter/kind must be one of: rest`);
  });

  it('names the agency file field that points at a missing schema file', () => {
    const dir = newCatalogueDir();
    const file = writeAgency(dir, 'nrb', agency('nrb', [service('id-card-replacement')]), ['schemas/id-card-replacement.response.v1.json']);
    expect(loadError(dir).message).toContain(`${file}: /services/0/response names schemas/id-card-replacement.response.v1.json, which does not exist`);
  });

  it('names an unknown field and where it is', () => {
    const dir = newCatalogueDir();
    const file = writeAgency(dir, 'nrb', agency('nrb', [service('id-card-replacement', { fallbak: 'manual' })]));
    expect(loadError(dir).message).toContain(`${file}: /services/0 has unknown field "fallbak"`);
  });

  it('names a file that is not JSON, with the line of the fault', () => {
    const dir = newCatalogueDir();
    const file = writeAgency(dir, 'nrb', '{\n  "code": "nrb",\n  "name": "NRB",,\n}\n');
    const error = loadError(dir);
    expect(error.message).toContain(`${file}: is not valid JSON`);
    expect(error.message).toMatch(/line 3/);
    expect(error.problems).toEqual([{ file, message: expect.stringContaining('is not valid JSON') }]);
  });

  it('rejects a service code used twice in one file, naming both places', () => {
    const dir = newCatalogueDir();
    const file = writeAgency(dir, 'nrb', agency('nrb', [service('id-card-replacement'), service('id-card-replacement')]));
    expect(loadError(dir).message).toContain(`${file}: /services/1/code "id-card-replacement" is already the code of /services/0`);
  });

  it('rejects a service code used by two agencies, and an agency code used twice', () => {
    const dir = newCatalogueDir();
    const first = writeAgency(dir, 'a-nrb', agency('nrb', [service('id-card-replacement')]));
    const second = writeAgency(dir, 'b-nrb', agency('nrb', [service('id-card-replacement')]));
    const error = loadError(dir);
    expect(error.message).toContain(`${second}: /code "nrb" is already the code of the agency in ${first}`);
    expect(error.message).toContain(`${second}: /services/0/code "id-card-replacement" is already a service of agency "nrb" (${first})`);
  });

  it('collects every problem of every file instead of stopping at the first', () => {
    const dir = newCatalogueDir();
    const nrb = writeAgency(dir, 'nrb', agency('nrb', [service('id-card-replacement', { fallback: 'later', feeKes: -1 })], { code: 'NRB' }));
    const sha = writeAgency(dir, 'sha', agency('sha', undefined, { adapter: { kind: 'rest' } }));
    const error = loadError(dir);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        { file: nrb, pointer: '/code', message: expect.stringContaining('must be an agency code') },
        { file: nrb, pointer: '/services/0/fallback', message: 'must be one of: store-and-forward, manual, reject' },
        { file: nrb, pointer: '/services/0/feeKes', message: 'must be at least 0' },
        { file: sha, pointer: '/adapter/baseUrl', message: 'is required' },
      ]),
    );
    expect(error.message.split('\n')[0]).toBe(`Invalid service catalogue (${error.problems.length} problems):`);
  });

  it('names a service schema without $id or that Ajv strict mode refuses', () => {
    const dir = newCatalogueDir();
    writeAgency(dir, 'nrb', agency('nrb', [service('id-card-replacement'), service('birth-certificate')]));
    const schemas = path.join(dir, 'nrb', 'schemas');
    fs.writeFileSync(path.join(schemas, 'id-card-replacement.request.v1.json'), JSON.stringify({ type: 'object' }));
    fs.writeFileSync(
      path.join(schemas, 'birth-certificate.request.v1.json'),
      JSON.stringify({ $id: 'https://kiungo.dev/schemas/nrb/birth-certificate.request.v1.json', type: 'object', requird: ['x'] }),
    );
    const message = loadError(dir).message;
    const rel = (name: string) => path.relative(process.cwd(), path.join(schemas, name));
    expect(message).toContain(`${rel('id-card-replacement.request.v1.json')}: /$id is required`);
    expect(message).toContain(`${rel('birth-certificate.request.v1.json')}: is not a valid JSON Schema: strict mode: unknown keyword: "requird"`);
  });

  it('rejects two schema files with one $id', () => {
    const dir = newCatalogueDir();
    writeAgency(dir, 'nrb', agency('nrb', [service('id-card-replacement')]));
    const schemas = path.join(dir, 'nrb', 'schemas');
    const response = JSON.parse(fs.readFileSync(path.join(schemas, 'id-card-replacement.response.v1.json'), 'utf8')) as Json;
    response.$id = 'https://kiungo.dev/schemas/nrb/id-card-replacement.request.v1.json';
    fs.writeFileSync(path.join(schemas, 'id-card-replacement.response.v1.json'), JSON.stringify(response));
    expect(loadError(dir).message).toMatch(/id-card-replacement\.response\.v1\.json: is not a valid JSON Schema: .*already exists/);
  });

  it('checks field mappings against the service schemas', () => {
    const dir = newCatalogueDir();
    const file = writeAgency(
      dir,
      'sha',
      agency('sha', [
        service('sha-registration', {
          operation: { path: '/api/v1/registrations', requestMap: { id_number: '/idNumbr' }, resultMap: { memberNumber: '/member_number' } },
        }),
      ]),
    );
    const message = loadError(dir).message;
    expect(message).toContain(`${file}: /services/0/operation/requestMap/id_number points to /idNumbr, which is not a field of the request schema`);
    expect(message).toContain(`${file}: /services/0/operation/resultMap maps field "memberNumber", which the response schema`);
    expect(message).toContain(`${file}: /services/0/operation/resultMap does not map "reference", which the response schema`);
  });

  it('rejects a retry whose first delay exceeds its longest', () => {
    const dir = newCatalogueDir();
    const file = writeAgency(dir, 'nrb', agency('nrb', [service('id-card-replacement', { retry: { baseDelayMs: 600000 } })]));
    expect(loadError(dir).message).toContain(`${file}: /services/0/retry has baseDelayMs 600000 above maxDelayMs 300000`);
  });

  it('rejects reserved names anywhere in an agency file', () => {
    const dir = newCatalogueDir();
    const file = writeAgency(dir, 'nrb', '{"code":"nrb","name":"NRB","adapter":{"kind":"rest","baseUrl":"http://x.test","headers":{"__proto__":{"polluted":"yes"}}},"services":[]}');
    expect(loadError(dir).message).toContain(`${file}: /adapter/headers/__proto__ is a reserved name`);
    expect(({} as Json).polluted).toBeUndefined();
  });

  // The adapters' config readers check nothing again: every rule of the schema has to hold at boot.
  const notOkDir = path.join(__dirname, '..', 'fixtures', 'agency-file', 'not-ok');
  const expectedErrors = JSON.parse(fs.readFileSync(path.join(notOkDir, '..', 'expected-errors.json'), 'utf8')) as Record<string, { field: string; message: string }>;
  it.each(Object.entries(expectedErrors))('refuses the agency file of not-ok fixture %s at boot, naming the file and the field', (name, expected) => {
    const dir = newCatalogueDir();
    const file = writeAgency(dir, 'agency', fs.readFileSync(path.join(notOkDir, name), 'utf8'));
    expect(loadError(dir).problems).toContainEqual({ file, pointer: expected.field, message: expect.stringContaining(expected.message) });
  });

  it('refuses a folder with no agencies, and one that does not exist', () => {
    const empty = newCatalogueDir();
    fs.mkdirSync(path.join(empty, 'notes'));
    expect(loadError(empty).message).toContain('has no agency folders');
    expect(loadError(path.join(empty, 'missing')).message).toContain('is not a directory');
  });

  it('shows absolute paths for catalogues outside the working directory', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'kiungo-catalogue-'));
    try {
      writeAgency(outside, 'nrb', '{');
      expect(loadError(outside).problems[0].file).toBe(path.join(outside, 'nrb', 'agency.json'));
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
