/**
 * `npm run adapter:new`: writes a starter agency folder that passes `adapter:check` (and, against
 * the matching simulator, `adapter:check --live`), for an agency IT team to edit into theirs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scaffoldReadme } from './scaffold-readme';
import { adapterBlock, fixtureFiles, operationBlock, requestSchema, responseSchema, SCAFFOLD_KINDS, type ScaffoldKind, type ScaffoldNames } from './scaffold-templates';

export interface ScaffoldRequest {
  kind: string;
  agency: string;
  /** The catalogue directory the folder is written into. */
  dir: string;
}

const AGENCY_CODE = /^[a-z][a-z0-9-]{1,19}$/;
const STARTER_WSDL = path.join(__dirname, 'templates', 'agency.wsdl');

/** Returns the new folder. @throws Error naming the bad argument, or an existing folder (never overwritten). */
export function scaffoldAgency(request: ScaffoldRequest): string {
  if (!(SCAFFOLD_KINDS as readonly string[]).includes(request.kind)) {
    throw new Error(`--kind must be one of ${SCAFFOLD_KINDS.join(', ')} (got "${request.kind}")`);
  }
  if (!AGENCY_CODE.test(request.agency)) {
    throw new Error(`--agency must be an agency code: 2 to 20 lower-case letters, digits or dashes, starting with a letter (got "${request.agency}")`);
  }
  const kind = request.kind as ScaffoldKind;
  const names: ScaffoldNames = { code: request.agency, upper: request.agency.toUpperCase().replace(/-/g, '_'), service: `${request.agency}-application` };
  const folder = path.resolve(request.dir, request.agency);
  if (fs.existsSync(folder)) throw new Error(`${folder} already exists: choose another agency code or remove it`);

  const files: Record<string, string> = {
    'agency.json': json(agencyFile(kind, names)),
    'README.md': scaffoldReadme(kind, names),
    [`schemas/${names.service}.request.v1.json`]: json(requestSchema(names)),
    [`schemas/${names.service}.response.v1.json`]: json(responseSchema(names)),
  };
  for (const [name, content] of Object.entries(fixtureFiles(names))) files[name] = json(content);
  if (kind === 'soap') files['wsdl/agency.wsdl'] = fs.readFileSync(STARTER_WSDL, 'utf8');
  if (kind === 'file-drop') {
    files['exchange/outbox/.gitkeep'] = '';
    files['exchange/inbox/.gitkeep'] = '';
  }

  for (const [name, content] of Object.entries(files)) {
    const file = path.join(folder, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { flag: 'wx' });
  }
  return folder;
}

function agencyFile(kind: ScaffoldKind, names: ScaffoldNames): Record<string, unknown> {
  return {
    $schema: 'https://kiungo.dev/schemas/agency-file.v1.json',
    code: names.code,
    name: `Agency ${names.upper}`,
    adapter: adapterBlock(kind, names),
    resilience: {
      timeoutMs: 5000,
      inlineTimeoutMs: 3000,
      concurrency: 16,
      queueLimit: 64,
      rateLimit: { perSecond: 50, burst: 20 },
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 10, resetTimeoutMs: 10000, rollingCountTimeoutMs: 10000 },
    },
    retry: { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 300000 },
    services: [
      {
        code: names.service,
        name: `Application to agency ${names.upper}`,
        description: `A starter service of agency ${names.upper}: replace with the real service, its schemas and fixtures.`,
        request: `schemas/${names.service}.request.v1.json`,
        response: `schemas/${names.service}.response.v1.json`,
        operation: operationBlock(kind),
        fallback: 'store-and-forward',
        bookable: false,
        feeKes: 0,
      },
    ],
  };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
