/**
 * Loads one agency folder: its agency.json, checked against agency-file.v1.json, its service
 * schemas compiled, the kind's cross-checks run and the defaults filled. Every problem of the
 * folder is collected; nothing is thrown.
 */
import * as path from 'node:path';
import type { ValidateFunction } from 'ajv/dist/2020';
import type { AgencyFile, ServiceEntry } from './agency-file.types';
import { displayPath } from './catalogue-error';
import { DEFAULT_RETRY, manualInstructionsFor, resilienceWithDefaults, retryWithOverrides } from './catalogue.defaults';
import { DEFAULT_REPLAY, type AgencyDefinition, type ReplayPolicy, type RetryPolicy, type ServiceDefinition } from './catalogue.types';
import type { ServiceContracts } from './contract-validator';
import { readJsonFile } from './json-file';
import { ADAPTER_KIND_RULES, type AdapterKindRules } from './kinds';
import { loadServiceSchema, type SchemaLoadContext } from './service-schema.loader';
import { validateValue } from './validate-value';

/** An agency file may have many faults; report them all so one edit-and-restart fixes them. */
const MAX_PROBLEMS_PER_FILE = 200;

export interface LoadedAgency {
  definition: AgencyDefinition;
  /** Service code → compiled schemas, in the order of the file. */
  contracts: Map<string, ServiceContracts>;
}

export interface AgencyLoadContext extends SchemaLoadContext {
  validateAgencyFile: ValidateFunction;
}

export function loadAgencyFolder(folder: string, ctx: AgencyLoadContext): LoadedAgency | undefined {
  const sourceFile = path.join(folder, 'agency.json');
  const shown = displayPath(sourceFile);
  const fail = (pointer: string | undefined, message: string): void => {
    ctx.problems.push(pointer === undefined ? { file: shown, message } : { file: shown, pointer, message });
  };

  const read = readJsonFile(sourceFile);
  if (!read.ok) return void fail(undefined, read.message);
  const shapeErrors = validateValue(ctx.validateAgencyFile, read.value, '', MAX_PROBLEMS_PER_FILE);
  // The checks below trust the shape; with a wrong shape they would only add noise.
  if (shapeErrors.length > 0) return void shapeErrors.forEach((e) => fail(e.field, e.message));

  const file = read.value as AgencyFile;
  const rules = ADAPTER_KIND_RULES.get(file.adapter.kind);
  if (!rules) return void fail('/adapter/kind', `names adapter kind "${file.adapter.kind}", which this version of Kiungo does not know`);

  const before = ctx.problems.length;
  const agencyRetry = retryWithOverrides(DEFAULT_RETRY, file.retry);
  checkRetry(agencyRetry, '/retry', fail);
  checkDuplicateServiceCodes(file.services, fail);

  const services: ServiceDefinition[] = [];
  const contracts = new Map<string, ServiceContracts>();
  file.services.forEach((entry, index) => {
    const loaded = loadService(entry, `/services/${index}`, { folder, sourceFile, file, rules, agencyRetry, fail }, ctx);
    if (!loaded) return;
    services.push(loaded.definition);
    contracts.set(entry.code, loaded.contracts);
  });
  if (ctx.problems.length > before) return undefined;

  return {
    definition: {
      code: file.code,
      name: file.name,
      adapter: rules.adapterWithDefaults(file.adapter),
      resilience: resilienceWithDefaults(file.resilience),
      retry: agencyRetry,
      replay: { ...DEFAULT_REPLAY, ...(file as { replay?: Partial<ReplayPolicy> }).replay },
      services,
      sourceFile,
      folder,
    },
    contracts,
  };
}

interface AgencyScope {
  folder: string;
  sourceFile: string;
  file: AgencyFile;
  rules: AdapterKindRules;
  agencyRetry: RetryPolicy;
  fail: (pointer: string | undefined, message: string) => void;
}

function loadService(
  entry: ServiceEntry,
  pointer: string,
  scope: AgencyScope,
  ctx: AgencyLoadContext,
): { definition: ServiceDefinition; contracts: ServiceContracts } | undefined {
  const schemaRef = (which: 'request' | 'response') => ({
    folder: scope.folder,
    relativePath: entry[which],
    agencyFile: scope.sourceFile,
    pointer: `${pointer}/${which}`,
  });
  const request = loadServiceSchema(schemaRef('request'), ctx);
  const response = loadServiceSchema(schemaRef('response'), ctx);
  const retry = retryWithOverrides(scope.agencyRetry, entry.retry);
  if (entry.retry) checkRetry(retry, `${pointer}/retry`, scope.fail);
  if (!request || !response) return undefined;

  const issues = scope.rules.checkService({ service: entry, pointer, requestSchema: request.schema, responseSchema: response.schema });
  issues.forEach((issue) => scope.fail(issue.pointer, issue.message));
  if (issues.length > 0) return undefined;

  return {
    definition: {
      code: entry.code,
      name: entry.name,
      description: entry.description,
      agencyCode: scope.file.code,
      requestSchemaId: request.id,
      responseSchemaId: response.id,
      operation: scope.rules.operationWithDefaults(entry.operation),
      fallback: entry.fallback,
      manualInstructions: manualInstructionsFor(scope.file.name, entry),
      bookable: entry.bookable,
      createsApplication: entry.createsApplication ?? true,
      ...(entry.retentionDays === undefined ? {} : { retentionDays: entry.retentionDays }),
      feeKes: entry.feeKes,
      retry,
    },
    contracts: { request, response },
  };
}

/** A cross-field rule the schema cannot state; checked after the service override is applied. */
function checkRetry(retry: RetryPolicy, pointer: string, fail: AgencyScope['fail']): void {
  if (retry.baseDelayMs > retry.maxDelayMs) {
    fail(pointer, `has baseDelayMs ${retry.baseDelayMs} above maxDelayMs ${retry.maxDelayMs}: the first delay cannot exceed the longest`);
  }
}

function checkDuplicateServiceCodes(services: readonly ServiceEntry[], fail: AgencyScope['fail']): void {
  const firstIndex = new Map<string, number>();
  services.forEach((service, index) => {
    const first = firstIndex.get(service.code);
    if (first === undefined) firstIndex.set(service.code, index);
    else fail(`/services/${index}/code`, `"${service.code}" is already the code of /services/${first}`);
  });
}
