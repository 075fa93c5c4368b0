import type { AdapterKindRules } from './adapter-kind.rules';
import { fileDropKind } from './file-drop.kind';
import { restKind } from './rest.kind';
import { soapKind } from './soap.kind';

/** Adapter kind → its catalogue rules. SOAP and file-drop join here, one line each. */
export const ADAPTER_KIND_RULES: ReadonlyMap<string, AdapterKindRules> = new Map([
  [restKind.kind, restKind],
  [fileDropKind.kind, fileDropKind],
  [soapKind.kind, soapKind],
]);

export type { AdapterKindRules, AgencyFileIssue, ServiceCheckInput } from './adapter-kind.rules';
