/**
 * The one Ajv configuration of Kiungo. A catalogue load creates ONE instance and compiles every
 * schema once with it; validation at request time only calls the compiled functions.
 */
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { isRealDate, parseOffsetDateTime } from './calendar';

/** A JSON Schema as stored in the catalogue (plain data, frozen after loading). */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface CompiledSchema {
  /** The schema's `$id`. */
  readonly id: string;
  readonly schema: JsonSchema;
  readonly validate: ValidateFunction;
}

export type SchemaCompiler = Ajv2020;

export function createSchemaCompiler(): SchemaCompiler {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    // `verbose` gives each error its parentSchema, whose `description` says what is expected.
    // It also attaches the rejected data to the error: the formatter never reads it.
    verbose: true,
  });
  addFormats(ajv);
  // Days that exist, read by calendar.ts as everywhere else; slot starts: a time before 24:00, seconds optional.
  ajv.addFormat('date', { type: 'string', validate: isRealDate });
  ajv.addFormat('offset-date-time', { type: 'string', validate: (text: string) => parseOffsetDateTime(text) !== undefined });
  // Regular expressions as Kiungo runs them: JavaScript with the u flag (as Ajv runs `pattern`), so
  // a pattern that compiles only without it is refused here, not when it is first used.
  ajv.addFormat('regex', { type: 'string', validate: isUnicodeRegExp });
  return ajv;
}

function isUnicodeRegExp(text: string): boolean {
  try {
    new RegExp(text, 'u');
    return true;
  } catch {
    return false;
  }
}
