/**
 * Request-time validation against the catalogue's compiled schemas. Runs on every request:
 * it only calls validators compiled at boot, never compiles, and never serialises the body.
 */
import type { ValidateFunction } from 'ajv/dist/2020';
import { UnknownServiceError } from './catalogue-error';
import type { FieldError } from './field-error';
import { appendSchemaErrors, MAX_FIELD_ERRORS } from './schema-error.format';
import type { CompiledSchema, JsonSchema } from './schema-compiler';
import { reservedKeyErrors, validateValue } from './validate-value';

export interface ServiceContracts {
  readonly request: CompiledSchema;
  readonly response: CompiledSchema;
}

export interface CompiledContracts {
  readonly envelope: ValidateFunction;
  readonly agencyFile: ValidateFunction;
  /** Service code → its compiled request and response schemas. */
  readonly services: ReadonlyMap<string, ServiceContracts>;
}

const UNKNOWN_SERVICE: FieldError = Object.freeze({ field: '/service', message: 'is not a service in the catalogue; see GET /v1/services' });

export class ContractValidator {
  constructor(private readonly contracts: CompiledContracts) {}

  /** The body of `POST /v1/transactions`, payload excepted (see `validateRequest`); also checks that the service exists. */
  validateEnvelope(body: unknown): FieldError[] {
    const errors = reservedKeyErrors(body, '');
    if (errors.length > 0) return errors;
    if (!this.contracts.envelope(body)) appendSchemaErrors(this.contracts.envelope.errors, '', errors, MAX_FIELD_ERRORS);
    const service = typeof body === 'object' && body !== null ? (body as { service?: unknown }).service : undefined;
    if (typeof service === 'string' && !this.contracts.services.has(service) && errors.length < MAX_FIELD_ERRORS) {
      if (!errors.some((e) => e.field === UNKNOWN_SERVICE.field)) errors.push({ ...UNKNOWN_SERVICE });
    }
    return errors;
  }

  /** A service's payload; pointers are prefixed with `/payload` as the payload sits in the envelope. */
  validateRequest(serviceCode: string, payload: unknown): FieldError[] {
    const contracts = this.contracts.services.get(serviceCode);
    if (!contracts) return [{ ...UNKNOWN_SERVICE }];
    return validateValue(contracts.request.validate, payload, '/payload');
  }

  /**
   * A service's result as Kiungo hands it to channels (the agency's answer after `resultMap`).
   * Pointers are relative to the result. Throws UnknownServiceError: only catalogue codes get here.
   */
  validateResponse(serviceCode: string, result: unknown): FieldError[] {
    const contracts = this.contracts.services.get(serviceCode);
    if (!contracts) throw new UnknownServiceError(serviceCode);
    return validateValue(contracts.response.validate, result, '');
  }

  /** An agency file (`agency.json`) against agency-file.v1.json, shape only (the loader also checks files and mappings). */
  validateAgencyFile(document: unknown): FieldError[] {
    return validateValue(this.contracts.agencyFile, document, '');
  }

  /** The raw request schema of a service (for the API and its docs); undefined for an unknown code. */
  requestSchema(serviceCode: string): JsonSchema | undefined {
    return this.contracts.services.get(serviceCode)?.request.schema;
  }

  responseSchema(serviceCode: string): JsonSchema | undefined {
    return this.contracts.services.get(serviceCode)?.response.schema;
  }
}
