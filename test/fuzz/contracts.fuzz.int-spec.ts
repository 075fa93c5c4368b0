import fc from 'fast-check';
import { defaultCatalogueDir, loadCatalogue, MAX_FIELD_ERRORS, MAX_NESTING_DEPTH, transactionEnvelopeSchema, type Catalogue } from '../../contracts/src';
import { fuzzParameters, replayHint } from './fuzz.config';
import { deepNestingText, hostileJson, objectFromEntries, PROTOTYPE_KEYS } from './hostile.arbitraries';
import type { JsonSchemaNode } from './openapi-routes';
import { validFrom } from './schema.arbitrary';

/**
 * The contract validator on its own, without HTTP (hundreds of runs in a second): the demo
 * catalogue's envelope and every service's request schema, against hostile values.
 */
describe('fuzz: the contract validator', () => {
  let catalogue: Catalogue;

  beforeAll(async () => {
    catalogue = await loadCatalogue(defaultCatalogueDir());
  });

  const check = async (label: string, property: fc.IAsyncProperty<[unknown]> | fc.IProperty<[unknown]>, runsFactor: number) => {
    try {
      await fc.assert(property, fuzzParameters(label, runsFactor));
    } catch (error) {
      throw new Error(`${replayHint(label)}\n${error instanceof Error ? error.message : String(error)}`);
    }
  };

  it('never throws on any value, and reports at most MAX_FIELD_ERRORS errors with JSON-pointer fields', async () => {
    const services = catalogue.services().map((service) => service.code);
    expect(services.length).toBeGreaterThan(3);
    await check(
      'validator: hostile values',
      fc.property(fc.tuple(hostileJson, fc.constantFrom(...services)), ([value, service]) => {
        for (const errors of [catalogue.validator.validateEnvelope(value), catalogue.validator.validateRequest(service, value)]) {
          expect(errors.length).toBeLessThanOrEqual(MAX_FIELD_ERRORS);
          for (const error of errors) expect(error.field === '' || error.field.startsWith('/')).toBe(true);
        }
      }) as fc.IProperty<[unknown]>,
      20,
    );
  });

  it('refuses bodies nested past MAX_NESTING_DEPTH, at any depth, without overflowing the stack', async () => {
    await check(
      'validator: deep nesting',
      fc.property(deepNestingText, (text) => {
        const value: unknown = JSON.parse(text);
        const errors = catalogue.validator.validateEnvelope(value);
        expect(errors.length).toBeGreaterThan(0);
        if (text.startsWith('{"service"')) {
          expect(errors.some((error) => error.message.includes(`more than ${MAX_NESTING_DEPTH} levels`))).toBe(true);
        }
      }) as fc.IProperty<[unknown]>,
      4,
    );
  });

  it('refuses a prototype key wherever it sits in an otherwise valid request', async () => {
    const service = catalogue.service('id-card-replacement')!;
    const envelope = { ...(transactionEnvelopeSchema as JsonSchemaNode), properties: { ...((transactionEnvelopeSchema as JsonSchemaNode).properties as object), service: { const: service.code }, payload: catalogue.validator.requestSchema(service.code) } };
    await check(
      'validator: prototype keys',
      fc.property(fc.tuple(validFrom(envelope as JsonSchemaNode), fc.constantFrom(...PROTOTYPE_KEYS), fc.constantFrom('', 'citizen', 'payload')), ([body, key, where]) => {
        const copy = JSON.parse(JSON.stringify(body)) as Record<string, Record<string, unknown>>;
        const target = where === '' ? copy : copy[where];
        Object.defineProperty(target, key, { value: objectFromEntries([['polluted', true]]), enumerable: true });
        const errors = catalogue.validator.validateEnvelope(copy);
        expect(errors.map((error) => error.field)).toContain(where === '' ? `/${key}` : `/${where}/${key}`);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }) as fc.IProperty<[unknown]>,
      10,
    );
  });

  it('accepts what the schema-driven generator draws for each service (the fuzzer reaches past validation)', async () => {
    const accepted: string[] = [];
    for (const service of catalogue.services()) {
      const schema = catalogue.validator.requestSchema(service.code) as JsonSchemaNode;
      const samples = fc.sample(validFrom(schema), { numRuns: 20, seed: 42 });
      if (samples.some((sample) => catalogue.validator.validateRequest(service.code, sample).length === 0)) accepted.push(service.code);
    }
    // Not every schema is reachable by a plain generator (cross-field rules), but most are.
    expect(accepted.length).toBeGreaterThanOrEqual(Math.ceil(catalogue.services().length / 2));
  });
});
