/**
 * The online half of the conformance kit: every ok request fixture of every service goes through
 * the REAL adapter behind the real resilience layer (an AgencyRegistry holding just this agency)
 * to the agency's sandbox, and must come back accepted with an agency reference and a result
 * that is valid against the service's response schema. A file-drop agency passes when the request
 * is handed over (`pending`): its answer arrives later, by file.
 */
import { randomBytes } from 'node:crypto';
import type { Catalogue } from '../../contracts/src/catalogue';
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import type { AgencyOutcome } from '../../contracts/src/dispatch';
import type { AdapterKinds } from '../adapter-kinds';
import { AgencyRegistry } from '../registry';
import { messageName, readFixtures } from './fixture-files';

export interface LiveOptions {
  env?: NodeJS.ProcessEnv;
  /** Replaces the agency file's endpoint (base URL, SOAP endpoint, or file-drop folder). */
  endpoint?: string;
  adapterKinds?: AdapterKinds;
}

export interface FixtureRun {
  service: string;
  fixture: string;
  passed: boolean;
  /** accepted, rejected, pending, or the transient code. */
  outcome: string;
  agencyRef?: string;
  detail: string;
  ms: number;
}

export async function runFixturesLive(agency: AgencyDefinition, catalogue: Catalogue, options: LiveOptions = {}): Promise<FixtureRun[]> {
  const registry = new AgencyRegistry([agency], {
    env: options.env ?? process.env,
    adapterKinds: options.adapterKinds,
    ...(options.endpoint && { endpointOverrides: { [agency.code]: options.endpoint } }),
  });
  const runId = randomBytes(4).toString('hex');
  const runs: FixtureRun[] = [];
  try {
    for (const service of agency.services) {
      for (const fixture of readFixtures(agency.folder, messageName(service.requestSchemaId), 'ok')) {
        if (fixture.unreadable) continue;
        const started = performance.now();
        const outcome = await registry.dispatch(
          agency.code,
          {
            transactionId: `conformance-${runId}-${runs.length + 1}`,
            serviceCode: service.code,
            payload: fixture.value as Record<string, unknown>,
            attempt: 1,
          },
          { inline: false },
        );
        const ms = Math.round(performance.now() - started);
        runs.push({ service: service.code, fixture: fixture.name, ms, ...judge(outcome, service.code, catalogue) });
      }
    }
  } finally {
    await registry.close();
  }
  return runs;
}

function judge(outcome: AgencyOutcome, serviceCode: string, catalogue: Catalogue): Pick<FixtureRun, 'passed' | 'outcome' | 'agencyRef' | 'detail'> {
  switch (outcome.kind) {
    case 'accepted': {
      const errors = outcome.result ? catalogue.validator.validateResponse(serviceCode, outcome.result) : [];
      if (errors.length > 0) {
        const first = errors[0];
        return { passed: false, outcome: 'accepted', agencyRef: outcome.agencyRef, detail: `result does not fit the response schema: ${first.field || '(root)'} ${first.message}` };
      }
      return { passed: true, outcome: 'accepted', agencyRef: outcome.agencyRef, detail: 'accepted with a valid result' };
    }
    case 'pending':
      return { passed: true, outcome: 'pending', detail: 'handed over; the answer comes by file' };
    case 'rejected':
      return { passed: false, outcome: 'rejected', detail: `an ok fixture was rejected: ${outcome.code}: ${outcome.reason}` };
    case 'transient':
      return { passed: false, outcome: outcome.code, detail: outcome.reason };
  }
}
