/**
 * Every schema has `ok/` and `not-ok/` fixtures; ok ones validate, not-ok ones fail for the
 * reason written in `expected-errors.json` (field and message fragment), so a not-ok fixture
 * cannot pass by failing for an unrelated typo.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FieldError } from './field-error';
import { defaultCatalogueDir, loadCatalogue } from './index';
import { MESSAGE_NAMES, validateMessage } from './message-schemas';

interface Expectation {
  field: string;
  message: string;
}

interface Subject {
  name: string;
  dir: string;
  /** Pointer prefix the validator adds (the request payload sits at /payload in the envelope). */
  prefix: string;
  validate(value: unknown): FieldError[];
}

const catalogue = loadCatalogue(defaultCatalogueDir());
const validator = catalogue.validator;
const contractsDir = path.resolve(__dirname, '..');

/** `https://kiungo.dev/schemas/nrb/id-card-replacement.request.v1.json` → `id-card-replacement.request` */
function messageName(schemaId: string): string {
  return path.posix.basename(new URL(schemaId).pathname).replace(/\.v\d+\.json$/, '');
}

const subjects: Subject[] = [
  {
    name: 'transaction-envelope',
    dir: path.join(contractsDir, 'fixtures', 'transaction-envelope'),
    prefix: '',
    validate: (value) => validator.validateEnvelope(value),
  },
  {
    name: 'agency-file',
    dir: path.join(contractsDir, 'fixtures', 'agency-file'),
    prefix: '',
    validate: (value) => validator.validateAgencyFile(value),
  },
  // Every other message of the API: the edge validates them with exactly this function.
  ...MESSAGE_NAMES.filter((name) => name !== 'transaction-envelope' && name !== 'agency-file').map(
    (name): Subject => ({ name, dir: path.join(contractsDir, 'fixtures', name), prefix: '', validate: (value) => validateMessage(name, value) }),
  ),
  ...catalogue.agencies.flatMap((agency) =>
    agency.services.flatMap((service): Subject[] => [
      {
        name: `${agency.code}/${messageName(service.requestSchemaId)}`,
        dir: path.join(agency.folder, 'fixtures', messageName(service.requestSchemaId)),
        prefix: '/payload',
        validate: (value) => validator.validateRequest(service.code, value),
      },
      {
        name: `${agency.code}/${messageName(service.responseSchemaId)}`,
        dir: path.join(agency.folder, 'fixtures', messageName(service.responseSchemaId)),
        prefix: '',
        validate: (value) => validator.validateResponse(service.code, value),
      },
    ]),
  ),
];

function readFixtures(dir: string): [string, unknown][] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name, JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'))]);
}

function readExpectations(dir: string): Record<string, Expectation> {
  const file = path.join(dir, 'expected-errors.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Expectation>) : {};
}

function valueAt(document: unknown, pointer: string): unknown {
  let current = document;
  for (const segment of pointer.split('/').slice(1)) {
    current = (current as Record<string, unknown> | undefined)?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return current;
}

it('covers every message schema, the agency file and the request and response of every catalogue service', () => {
  expect(subjects.map((s) => s.name)).toEqual(
    expect.arrayContaining([
      'transaction-envelope',
      'agency-file',
      'nrb/id-card-replacement.request',
      'nrb/id-card-replacement.response',
      'sha/sha-registration.request',
      'sha/sha-registration.response',
      'brs/business-name-search.request',
      'brs/business-name-search.response',
    ]),
  );
  expect(subjects).toHaveLength(MESSAGE_NAMES.length + 2 * catalogue.services().length);
});

it('has a schema for every file in contracts/schemas, and fixtures for every message', () => {
  const files = fs.readdirSync(path.join(contractsDir, 'schemas')).filter((name) => name.endsWith('.json'));
  expect(files.sort()).toEqual([...MESSAGE_NAMES, 'common'].map((name) => `${name}.v1.json`).sort());
  expect(fs.readdirSync(path.join(contractsDir, 'fixtures')).sort()).toEqual([...MESSAGE_NAMES].sort());
});

it('has no fixture folder without a schema', () => {
  const known = new Set(subjects.map((s) => s.dir));
  for (const agency of catalogue.agencies) {
    const fixturesDir = path.join(agency.folder, 'fixtures');
    for (const name of fs.existsSync(fixturesDir) ? fs.readdirSync(fixturesDir) : []) {
      expect(known).toContain(path.join(fixturesDir, name));
    }
  }
});

describe.each(subjects)('$name', (subject) => {
  const ok = readFixtures(path.join(subject.dir, 'ok'));
  const notOk = readFixtures(path.join(subject.dir, 'not-ok'));
  const expected = readExpectations(subject.dir);

  it('has ok and not-ok fixtures, and an expectation for exactly the not-ok ones', () => {
    expect(ok.length).toBeGreaterThan(0);
    expect(notOk.length).toBeGreaterThan(0);
    expect(Object.keys(expected).sort()).toEqual(notOk.map(([name]) => name));
  });

  it.each(ok)('accepts ok/%s', (_name, value) => {
    expect(subject.validate(value)).toEqual([]);
  });

  it.each(notOk)('rejects not-ok/%s for the expected reason', (name, value) => {
    const errors = subject.validate(value);
    const expectation = expected[name];
    expect(expectation).toBeDefined();
    expect(errors).toEqual(
      expect.arrayContaining([{ field: subject.prefix + expectation.field, message: expect.stringContaining(expectation.message) }]),
    );
    // The rejected value may be personal data: it is never repeated back.
    const rejected = valueAt(value, expectation.field);
    if (typeof rejected === 'string' && rejected.length >= 3) {
      for (const error of errors) expect(error.message).not.toContain(rejected);
    }
  });
});
