/**
 * One value against one compiled schema, with the reserved-key guard in front. Shared by the
 * request-time ContractValidator and the catalogue loader.
 */
import type { ValidateFunction } from 'ajv/dist/2020';
import type { FieldError } from './field-error';
import { appendForbiddenKeys } from './forbidden-keys';
import { appendSchemaErrors, MAX_FIELD_ERRORS } from './schema-error.format';

export function validateValue(validate: ValidateFunction, value: unknown, prefix: string, limit = MAX_FIELD_ERRORS): FieldError[] {
  const errors = reservedKeyErrors(value, prefix, limit);
  if (errors.length === 0 && !validate(value)) appendSchemaErrors(validate.errors, prefix, errors, limit);
  return errors;
}

/** Reserved keys are reported alone: such a body is hostile or broken, its other faults do not matter. */
export function reservedKeyErrors(value: unknown, prefix: string, limit = MAX_FIELD_ERRORS): FieldError[] {
  const errors: FieldError[] = [];
  appendForbiddenKeys(value, prefix, errors, limit);
  return errors;
}
