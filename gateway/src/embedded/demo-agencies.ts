import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultCatalogueDir } from '../../../contracts/src/catalogue.paths';
import type { AgencyDefinition } from '../../../contracts/src/catalogue.types';
import { startRestAgency } from '../../../test/simulators/rest-agency/rest-agency.simulator';
import { startFileDropAgency } from '../../../test/simulators/file-drop-agency/file-drop-agency.simulator';
import { startSoapAgency } from '../../../test/simulators/soap-agency/soap-agency.simulator';

export interface DemoAgencies {
  /** Agency code → base URL (REST) or SOAP endpoint of its simulator; handed to the adapters as endpoint overrides. */
  endpoints: Record<string, string>;
  close(): Promise<void>;
}

export interface DemoAgencyOptions {
  /** Where file-drop agencies get their outbox and inbox (`<dataDir>/demo-agencies/<code>/`). Default: the OS temp folder. */
  dataDir?: string;
  /** Where the credentials of SOAP agencies with WS-Security are read from (agencyEnvironment). */
  env: Readonly<Record<string, string | undefined>>;
  /** The catalogue whose agencies may be simulated. Default: the demo catalogue (contracts/catalogue). */
  demoCatalogueDir?: string;
}

interface Simulator {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Embedded mode has no real agencies: each REST and SOAP agency of the demo catalogue is answered
 * by a simulator in this process, on a free port. Its control endpoint (`PUT <url>/_control`, at
 * the server root for SOAP) makes it slow, flaky, down or rejecting, to watch the breaker and the
 * retry queue at work. A file-drop agency is a simulator watching a folder pair under `dataDir`.
 * Only the demo catalogue's own folders are simulated: an agency from any other catalogue
 * (KIUNGO_CATALOGUE_DIR) is a real agency, called at the endpoint its file names, even in embedded mode.
 */
export async function startDemoAgencies(agencies: readonly AgencyDefinition[], options: DemoAgencyOptions): Promise<DemoAgencies> {
  const { env } = options;
  const dataDir = options.dataDir ?? path.join(tmpdir(), 'kiungo-demo');
  const demoCatalogue = realFolder(options.demoCatalogueDir ?? defaultCatalogueDir());
  const simulators: Simulator[] = [];
  const endpoints: Record<string, string> = {};
  try {
    for (const agency of agencies) {
      if (path.dirname(realFolder(agency.folder)) !== demoCatalogue) continue;
      const simulator = await startSimulator(agency, env, dataDir);
      if (!simulator) continue;
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

function realFolder(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return path.resolve(folder);
  }
}

async function startSimulator(agency: AgencyDefinition, env: NodeJS.ProcessEnv, dataDir: string): Promise<Simulator | undefined> {
  const referencePrefix = agency.code.toUpperCase();
  switch (agency.adapter.kind) {
    case 'rest':
      return startRestAgency({ port: 0, referencePrefix, name: agency.name });
    case 'soap':
      return startSoapSimulator(agency, referencePrefix, env);
    case 'file-drop':
      return startFileDropSimulator(agency, referencePrefix, dataDir);
    default:
      return undefined;
  }
}

/**
 * The SOAP simulator answers the agency's own WSDL file (a WSDL given by URL cannot be served
 * here, so such an agency is left to its real endpoint). With WS-Security configured, it expects
 * the credentials the adapter will send: those of the same environment variables.
 */
async function startSoapSimulator(agency: AgencyDefinition, referencePrefix: string, env: NodeJS.ProcessEnv): Promise<Simulator | undefined> {
  const { wsdl, security, transactionIdField } = agency.adapter as { wsdl?: unknown; security?: Record<string, unknown>; transactionIdField?: unknown };
  if (typeof wsdl !== 'string' || /^https?:\/\//.test(wsdl)) return undefined;
  const credentials =
    security?.type === 'username-token'
      ? { username: env[String(security.usernameEnv)], password: env[String(security.passwordEnv)] }
      : {};
  return startSoapAgency({
    port: 0,
    referencePrefix,
    name: agency.name,
    wsdl: path.resolve(agency.folder, wsdl),
    path: `/soap/${agency.code}`,
    ...(typeof transactionIdField === 'string' && { transactionIdField }),
    ...credentials,
  });
}

/** The file-drop adapter takes an endpoint override as a folder holding `outbox/` and `inbox/`. */
async function startFileDropSimulator(agency: AgencyDefinition, referencePrefix: string, dataDir: string): Promise<Simulator> {
  const root = path.join(dataDir, 'demo-agencies', agency.code);
  const { format, doneFileSuffix } = agency.adapter as { format?: 'json' | 'xml' | 'csv'; doneFileSuffix?: string };
  const simulator = await startFileDropAgency({
    outbox: path.join(root, 'outbox'),
    inbox: path.join(root, 'inbox'),
    referencePrefix,
    ...(format && { format }),
    ...(doneFileSuffix && { doneFileSuffix }),
  });
  return { url: root, close: () => simulator.close() };
}
