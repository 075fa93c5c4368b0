/**
 * What the catalogue knows about one adapter kind beyond its schema in agency-file.v1.json:
 * its defaults and the checks a schema cannot express. One file per kind; adding a kind is
 * one entry in `ADAPTER_KIND_RULES` (kinds/index.ts) next to its `$defs/kinds` entry.
 */
import type { ServiceEntry } from '../agency-file.types';
import type { JsonSchema } from '../schema-compiler';

export interface ServiceCheckInput {
  service: ServiceEntry;
  /** Pointer of the service in its agency file, e.g. `/services/0`. */
  pointer: string;
  requestSchema: JsonSchema;
  responseSchema: JsonSchema;
}

/** A problem inside the agency file, located by JSON pointer. */
export interface AgencyFileIssue {
  pointer: string;
  message: string;
}

export interface AdapterKindRules {
  readonly kind: string;
  adapterWithDefaults(adapter: Readonly<Record<string, unknown>>): { kind: string } & Record<string, unknown>;
  operationWithDefaults(operation: Readonly<Record<string, unknown>>): Record<string, unknown>;
  checkService(input: ServiceCheckInput): AgencyFileIssue[];
}
