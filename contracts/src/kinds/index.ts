import type { AdapterKindRules } from './adapter-kind.rules';
import { restKind } from './rest.kind';

/** Adapter kind → its catalogue rules. SOAP and file-drop join here, one line each. */
export const ADAPTER_KIND_RULES: ReadonlyMap<string, AdapterKindRules> = new Map([[restKind.kind, restKind]]);

export type { AdapterKindRules, AgencyFileIssue, ServiceCheckInput } from './adapter-kind.rules';
