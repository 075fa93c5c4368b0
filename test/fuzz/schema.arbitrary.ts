/**
 * Values from a JSON Schema (OpenAPI DTOs, the transaction envelope, each service's request
 * schema): `validFrom` draws values that try to satisfy the schema, `mutatedFrom` then breaks
 * them one way at a time (a field replaced by hostile input, a required field dropped, a
 * prototype key added, the wrong type at the root), so that the fuzzer gets past the first
 * check and exercises the ones behind it.
 */
import fc from 'fast-check';
import { hostileJson, objectFromEntries, PROTOTYPE_KEYS } from './hostile.arbitraries';
import type { JsonSchemaNode } from './openapi-routes';

/** Field name → values worth using instead of what the schema alone would give (codes that exist). */
export type KnownValues = Readonly<Record<string, readonly unknown[]>>;

export function validFrom(schema: JsonSchemaNode, known: KnownValues = {}, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 8) return fc.constant(null);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  const choices = (schema.oneOf ?? schema.anyOf) as JsonSchemaNode[] | undefined;
  if (Array.isArray(choices) && choices.length > 0) return fc.oneof(...choices.map((choice) => validFrom(choice, known, depth + 1)));
  switch (typeOf(schema)) {
    case 'object':
      return objectFrom(schema, known, depth);
    case 'array': {
      const items = (schema.items as JsonSchemaNode | undefined) ?? {};
      const maxLength = Math.min(numberAt(schema, 'maxItems') ?? 3, 3);
      return fc.array(validFrom(items, known, depth + 1), { minLength: Math.min(numberAt(schema, 'minItems') ?? 0, maxLength), maxLength });
    }
    case 'integer':
      return fc.integer({ min: numberAt(schema, 'minimum') ?? -1000, max: numberAt(schema, 'maximum') ?? 100_000 });
    case 'number':
      return fc.double({ min: numberAt(schema, 'minimum') ?? -1000, max: numberAt(schema, 'maximum') ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'string':
      return stringFrom(schema);
    default:
      return 'example' in schema ? fc.constant(schema.example) : fc.constant(null);
  }
}

/** A valid-looking value, then broken in one way (or, with `validWeight` 1, left alone two times in nine). */
export function mutatedFrom(schema: JsonSchemaNode, known: KnownValues = {}, validWeight = 1): fc.Arbitrary<unknown> {
  const valid = validFrom(schema, known);
  return fc.oneof(
    { weight: 2 * validWeight, arbitrary: valid },
    { weight: 3, arbitrary: fc.tuple(valid, fc.nat(), hostileJson).map(([value, at, replacement]) => replaceAt(value, at, replacement)) },
    { weight: 1, arbitrary: fc.tuple(valid, fc.nat()).map(([value, at]) => dropAt(value, at)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, fc.nat(), fc.constantFrom(...PROTOTYPE_KEYS), hostileJson)
        .map(([value, at, key, inner]) => addKeyAt(value, at, key, { polluted: true, inner })),
    },
    { weight: 1, arbitrary: hostileJson },
  );
}

function objectFrom(schema: JsonSchemaNode, known: KnownValues, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema.properties as Record<string, JsonSchemaNode> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const fields: [string, fc.Arbitrary<unknown>][] = Object.entries(properties).map(([name, property]) => {
    const own = validFrom(property, known, depth + 1);
    const values = known[name];
    return [name, values && values.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: own }) : own];
  });
  // Optional fields are present or absent independently.
  return fc
    .tuple(...fields.map(([name, arbitrary]) => (required.has(name) ? arbitrary.map((value) => [name, value] as const) : fc.option(arbitrary.map((value) => [name, value] as const), { nil: undefined }))))
    .map((entries) => objectFromEntries(entries.filter((entry): entry is readonly [string, unknown] => entry !== undefined)));
}

function stringFrom(schema: JsonSchemaNode): fc.Arbitrary<string> {
  if (typeof schema.example === 'string' && !schema.pattern && !schema.format) return fc.constant(schema.example);
  const examples = Array.isArray(schema.examples) ? (schema.examples as unknown[]).filter((example): example is string => typeof example === 'string') : [];
  if (examples.length > 0 && !schema.pattern && !schema.format) return fc.constantFrom(...examples);
  if (schema.format === 'date') return fc.date({ min: new Date('1950-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  if (schema.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'uuid') return fc.uuid();
  if (typeof schema.pattern === 'string') {
    try {
      const minLength = numberAt(schema, 'minLength') ?? 0;
      const maxLength = numberAt(schema, 'maxLength') ?? Infinity;
      return fc.stringMatching(new RegExp(schema.pattern)).filter((value) => value.length >= minLength && value.length <= maxLength);
    } catch {
      // A pattern fast-check cannot generate from: plain strings below.
    }
  }
  const minLength = numberAt(schema, 'minLength') ?? 0;
  return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(numberAt(schema, 'maxLength') ?? 24, 24)) });
}

function typeOf(schema: JsonSchemaNode): string | undefined {
  if (typeof schema.type === 'string') return schema.type;
  // `["string", "null"]`: the value is drawn as the non-null type.
  if (Array.isArray(schema.type)) return (schema.type as string[]).find((type) => type !== 'null');
  if (schema.properties) return 'object';
  return undefined;
}

function numberAt(schema: JsonSchemaNode, key: string): number | undefined {
  const value = schema[key];
  return typeof value === 'number' ? value : undefined;
}

/** Every object in `value` (itself included), depth first: the places a mutation can go. */
function objectsIn(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (typeof value !== 'object' || value === null) return out;
  if (!Array.isArray(value)) out.push(value as Record<string, unknown>);
  for (const child of Object.values(value)) objectsIn(child, out);
  return out;
}

function copy(value: unknown): unknown {
  // Structured clone keeps own `__proto__` keys as plain data (JSON round trip would too).
  return JSON.parse(JSON.stringify(value ?? null)) as unknown;
}

function replaceAt(value: unknown, at: number, replacement: unknown): unknown {
  const root = copy(value);
  const targets = objectsIn(root).filter((target) => Object.keys(target).length > 0);
  if (targets.length === 0) return replacement;
  const target = targets[at % targets.length];
  const keys = Object.keys(target);
  Object.defineProperty(target, keys[at % keys.length], { value: replacement, enumerable: true, writable: true, configurable: true });
  return root;
}

function dropAt(value: unknown, at: number): unknown {
  const root = copy(value);
  const targets = objectsIn(root).filter((target) => Object.keys(target).length > 0);
  if (targets.length === 0) return root;
  const target = targets[at % targets.length];
  const keys = Object.keys(target);
  delete target[keys[at % keys.length]];
  return root;
}

function addKeyAt(value: unknown, at: number, key: string, inner: unknown): unknown {
  const root = copy(value);
  const targets = objectsIn(root);
  if (targets.length === 0) return objectFromEntries([[key, inner]]);
  Object.defineProperty(targets[at % targets.length], key, { value: inner, enumerable: true, writable: true, configurable: true });
  return root;
}
