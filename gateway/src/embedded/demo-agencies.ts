import type { AgencyDefinition } from '../../../contracts/src/catalogue.types';
import { startRestAgency, type RestAgencySimulator } from '../../../test/simulators/rest-agency/rest-agency.simulator';

export interface DemoAgencies {
  /** Agency code → base URL of its simulator; handed to the adapters as endpoint overrides. */
  endpoints: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Embedded mode has no real agencies: each REST agency of the demo catalogue is answered by a
 * simulator in this process, on a free port. Its control endpoint (`PUT <url>/_control`) makes it
 * slow, flaky, down or rejecting, to watch the breaker and the retry queue at work.
 */
export async function startDemoAgencies(agencies: readonly AgencyDefinition[]): Promise<DemoAgencies> {
  const simulators: RestAgencySimulator[] = [];
  const endpoints: Record<string, string> = {};
  try {
    for (const agency of agencies) {
      if (agency.adapter.kind !== 'rest') continue;
      const simulator = await startRestAgency({ port: 0, referencePrefix: agency.code.toUpperCase(), name: agency.name });
      simulators.push(simulator);
      endpoints[agency.code] = simulator.url;
    }
  } catch (error) {
    await Promise.allSettled(simulators.map((s) => s.close()));
    throw error;
  }
  return {
    endpoints,
    close: async () => {
      await Promise.allSettled(simulators.map((s) => s.close()));
    },
  };
}
