import { defaultCatalogueDir, loadCatalogue, MAX_FIELD_ERRORS, MAX_NESTING_DEPTH, UnknownServiceError } from './index';

const { validator } = loadCatalogue(defaultCatalogueDir());

const envelope = {
  service: 'business-name-search',
  channel: 'portal',
  citizen: { idNumber: '23456789' },
  payload: { proposedName: 'Mama Mboga Traders', businessType: 'sole-proprietorship' },
};

describe('ContractValidator', () => {
  it('accepts a valid envelope and its payload', () => {
    expect(validator.validateEnvelope(envelope)).toEqual([]);
    expect(validator.validateRequest(envelope.service, envelope.payload)).toEqual([]);
  });

  it.each([null, 'text', 42, [], true])('rejects a body that is not an object (%p)', (body) => {
    expect(validator.validateEnvelope(body)).toEqual([{ field: '', message: 'must be an object' }]);
  });

  it('reports every problem of a request, each at its own field', () => {
    const errors = validator.validateRequest('sha-registration', { idNumber: '1', householdSize: 0 });
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: '/payload/idNumber', message: 'must be a Kenyan national ID number: 7 or 8 digits' },
        { field: '/payload/householdSize', message: 'must be at least 1' },
        { field: '/payload/fullName', message: 'is required' },
        { field: '/payload/county', message: 'is required' },
      ]),
    );
  });

  it(`caps the list at ${MAX_FIELD_ERRORS} errors`, () => {
    const payload = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`extra${i}`, i]));
    const errors = validator.validateRequest('business-name-search', payload);
    expect(errors).toHaveLength(MAX_FIELD_ERRORS);
    expect(errors[0]).toEqual({ field: '/payload/proposedName', message: 'is required' });
  });

  it('answers an unknown service in a request as a field error, in a response as a programming error', () => {
    expect(validator.validateEnvelope({ ...envelope, service: 'passport-renewal' })).toEqual([
      { field: '/service', message: expect.stringContaining('is not a service in the catalogue') },
    ]);
    expect(validator.validateRequest('passport-renewal', {})).toEqual([{ field: '/service', message: expect.stringContaining('is not a service') }]);
    expect(() => validator.validateResponse('passport-renewal', {})).toThrow(UnknownServiceError);
  });

  it('validates a response relative to the result', () => {
    expect(validator.validateResponse('business-name-search', { reference: 'BRS-1', available: true })).toEqual([]);
    expect(validator.validateResponse('business-name-search', { available: 'no' })).toEqual(
      expect.arrayContaining([
        { field: '/reference', message: 'is required' },
        { field: '/available', message: 'must be true or false' },
      ]),
    );
  });

  it('rejects reserved keys alone, before looking at anything else', () => {
    const body = JSON.parse('{"channel":"fax","citizen":{"idNumber":"x","constructor":1},"payload":{"__proto__":{"admin":true}}}');
    expect(validator.validateEnvelope(body)).toEqual([
      { field: '/citizen/constructor', message: expect.stringContaining('reserved name') },
      { field: '/payload/__proto__', message: expect.stringContaining('reserved name') },
    ]);
  });

  it('refuses bodies nested deeper than any form, without walking them recursively', () => {
    let deep: Record<string, unknown> = {};
    const payload = deep;
    for (let i = 0; i < 10_000; i++) deep = (deep.child = {}) as Record<string, unknown>;
    const errors = validator.validateRequest('business-name-search', payload);
    expect(errors).toEqual([{ field: `/payload${'/child'.repeat(MAX_NESTING_DEPTH + 1)}`, message: expect.stringContaining('nested too deeply') }]);
  });

  it('escapes field names in pointers and never repeats a rejected value', () => {
    const errors = validator.validateEnvelope({ ...envelope, citizen: { idNumber: '0712345678', 'a/b~c': 1 } });
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: '/citizen', message: 'has unknown field "a/b~c"' },
        { field: '/citizen/idNumber', message: 'must be a Kenyan national ID number: 7 or 8 digits' },
      ]),
    );
    expect(JSON.stringify(errors)).not.toContain('0712345678');
  });

  it('serves the raw schemas of a service, and nothing for an unknown one', () => {
    expect(validator.requestSchema('sha-registration')).toMatchObject({ type: 'object', required: expect.arrayContaining(['county']) });
    expect(validator.responseSchema('sha-registration')?.$id).toBe('https://kiungo.dev/schemas/sha/sha-registration.response.v1.json');
    expect(validator.requestSchema('passport-renewal')).toBeUndefined();
  });
});
