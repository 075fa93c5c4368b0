/**
 * Turns Ajv errors into FieldErrors a counter officer or a channel developer can act on.
 * Messages come from the schema only (limits, allowed values, the property's `description`),
 * never from the rejected data: a rejected value may be a citizen's ID or phone number.
 * Field NAMES may be quoted (an unknown field has to be named to be removed).
 */
import type { ErrorObject } from 'ajv/dist/2020';
import type { FieldError } from './field-error';
import { childPointer } from './json-pointer';

/** Enough to fix a form; more only buries the first problem. */
export const MAX_FIELD_ERRORS = 20;

const MAX_LISTED_VALUES = 10;
const MAX_QUOTED_NAME = 40;

/** Keywords that only wrap errors already reported by their subschemas. */
const WRAPPER_KEYWORDS = new Set(['if', 'propertyNames', 'allOf', '$ref']);

const FORMAT_EXPECTATIONS: Readonly<Record<string, string>> = {
  date: 'a date as YYYY-MM-DD',
  'date-time': 'a date and time in ISO 8601 form, e.g. 2025-03-14T09:30:00Z',
  'offset-date-time': 'a real date and time in ISO 8601 form with an offset, e.g. 2026-11-24T09:30:00+03:00',
  time: 'a time as HH:MM:SS',
  email: 'an e-mail address',
  uri: 'an absolute URL',
  uuid: 'a UUID',
  'json-pointer': 'a JSON pointer such as /error/code',
  ipv4: 'an IPv4 address',
  hostname: 'a host name',
};

/**
 * Appends the formatted `errors` to `out` (at most `limit` in all), prefixing every pointer
 * with `prefix` (e.g. `/payload` for a service request inside the envelope).
 */
export function appendSchemaErrors(
  errors: readonly ErrorObject[] | null | undefined,
  prefix: string,
  out: FieldError[],
  limit = MAX_FIELD_ERRORS,
): void {
  if (!errors) return;
  const seen = new Set(out.map(key));
  const hasSpecificErrors = errors.some((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && !WRAPPER_KEYWORDS.has(e.keyword));
  for (const error of errors) {
    if (out.length >= limit) return;
    if (WRAPPER_KEYWORDS.has(error.keyword)) continue;
    if ((error.keyword === 'anyOf' || error.keyword === 'oneOf') && hasSpecificErrors) continue;
    const formatted = formatError(error, prefix);
    const k = key(formatted);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(formatted);
  }
}

function key(error: FieldError): string {
  return `${error.field}\u0000${error.message}`;
}

function formatError(error: ErrorObject, prefix: string): FieldError {
  const at = prefix + error.instancePath;
  // An error inside `propertyNames` is about a key of the object at `instancePath`, not a value.
  if (error.propertyName !== undefined) {
    const expected = expectation(error);
    const base = `has field name ${quoteName(error.propertyName)} that is not allowed`;
    return { field: at, message: expected ? `${base}: must be ${expected}` : base };
  }
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { field: childPointer(at, String(params.missingProperty)), message: 'is required' };
    case 'dependentRequired':
      return {
        field: childPointer(at, String(params.missingProperty)),
        message: `is required when ${quoteName(String(params.property))} is given`,
      };
    case 'additionalProperties':
      return { field: at, message: `has unknown field ${quoteName(String(params.additionalProperty))}` };
    case 'unevaluatedProperties':
      return { field: at, message: `has unknown field ${quoteName(String(params.unevaluatedProperty))}` };
    default:
      return { field: at, message: valueMessage(error, params) };
  }
}

function valueMessage(error: ErrorObject, params: Record<string, unknown>): string {
  const expected = expectation(error);
  switch (error.keyword) {
    case 'type':
      return `must be ${typeNames(String(params.type))}`;
    case 'enum':
      return enumMessage(params.allowedValues, expected);
    case 'const':
      return `must be ${literal(params.allowedValue)}`;
    case 'pattern':
      return expected ? `must be ${expected}` : 'is not in the expected format';
    case 'format':
      return `must be ${expected ?? FORMAT_EXPECTATIONS[String(params.format)] ?? `a valid ${String(params.format)}`}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${params.limit} characters long`;
    case 'maxLength':
      return `must be at most ${params.limit} characters long`;
    case 'minimum':
      return `must be at least ${params.limit}`;
    case 'maximum':
      return `must be at most ${params.limit}`;
    case 'exclusiveMinimum':
      return `must be greater than ${params.limit}`;
    case 'exclusiveMaximum':
      return `must be less than ${params.limit}`;
    case 'multipleOf':
      return `must be a multiple of ${params.multipleOf}`;
    case 'minItems':
      return params.limit === 1 ? 'must not be empty' : `must have at least ${params.limit} items`;
    case 'maxItems':
      return `must have at most ${params.limit} items`;
    case 'uniqueItems':
      return `must not repeat an item (items ${params.j} and ${params.i} are the same)`;
    case 'minProperties':
      return `must have at least ${params.limit} fields`;
    case 'maxProperties':
      return `must have at most ${params.limit} fields`;
    case 'not':
      return expected ? `is not allowed: must be ${expected}` : 'is not allowed';
    case 'anyOf':
    case 'oneOf':
      return expected ? `must be ${expected}` : 'does not match any of the allowed forms';
    case 'false schema':
      return 'is not allowed';
    default:
      return expected ? `must be ${expected}` : 'is not valid';
  }
}

/** The schema author's words for what a value must be: the `description` next to the failing keyword. */
function expectation(error: ErrorObject): string | undefined {
  const description = (error.parentSchema as { description?: unknown } | undefined)?.description;
  return typeof description === 'string' && description !== '' ? description : undefined;
}

function enumMessage(allowed: unknown, expected: string | undefined): string {
  if (Array.isArray(allowed) && allowed.length <= MAX_LISTED_VALUES) {
    return `must be one of: ${allowed.map(literal).join(', ')}`;
  }
  return expected ? `must be ${expected}` : 'must be one of the allowed values';
}

function literal(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const ARTICLES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function typeNames(types: string): string {
  return types
    .split(',')
    .map((t) => ARTICLES[t] ?? t)
    .join(' or ');
}

/** Quotes a field name from the request, shortened and stripped of control characters. */
function quoteName(name: string): string {
  let clean = '';
  for (const char of name) clean += char < ' ' || char === '\u007f' || char === '"' || char === '\\' ? '?' : char;
  return `"${clean.length > MAX_QUOTED_NAME ? `${clean.slice(0, MAX_QUOTED_NAME)}…` : clean}"`;
}
