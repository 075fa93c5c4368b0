/**
 * Loads the service catalogue once, at boot: every sub-folder of `dir` with an agency.json is
 * an agency. The services' schemas are compiled once with ONE Ajv instance per catalogue; the
 * envelope and the agency file are Kiungo's own messages, compiled once for all catalogues
 * (message-schemas.ts). The ContractValidator then only runs the compiled functions. Any problem
 * anywhere stops the load with one CatalogueError listing them all.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadAgencyFolder, type LoadedAgency } from './agency-folder.loader';
import { Catalogue } from './catalogue';
import { CatalogueError, displayPath, type CatalogueProblem } from './catalogue-error';
import { ContractValidator, type ServiceContracts } from './contract-validator';
import { deepFreeze } from './deep-freeze';
import { messageSchema, messageValidator } from './message-schemas';
import { createSchemaCompiler, type CompiledSchema, type JsonSchema } from './schema-compiler';

/** The schema of agency.json files (agency-file.v1.json). */
export const agencyFileSchema: JsonSchema = messageSchema('agency-file');
/** The schema of the body of POST /v1/transactions (transaction-envelope.v1.json). */
export const transactionEnvelopeSchema: JsonSchema = messageSchema('transaction-envelope');

export function loadCatalogue(dir: string): Catalogue {
  const root = path.resolve(dir);
  if (!isDirectory(root)) {
    throw new CatalogueError([{ file: displayPath(root), message: 'is not a directory: the catalogue is a folder of agency folders' }]);
  }
  const compiler = createSchemaCompiler();
  const envelope = messageValidator('transaction-envelope');
  const validateAgencyFile = messageValidator('agency-file');
  const problems: CatalogueProblem[] = [];
  const ctx = { compiler, problems, cache: new Map<string, CompiledSchema | null>(), validateAgencyFile };

  const loaded: LoadedAgency[] = [];
  for (const folder of agencyFolders(root)) {
    const agency = loadAgencyFolder(folder, ctx);
    if (agency) loaded.push(agency);
  }
  checkUniqueCodes(loaded, problems);
  if (loaded.length === 0 && problems.length === 0) {
    problems.push({ file: displayPath(root), message: 'has no agency folders (sub-folders with an agency.json)' });
  }
  if (problems.length > 0) throw new CatalogueError(problems);

  const services = new Map<string, ServiceContracts>();
  for (const agency of loaded) for (const [code, contracts] of agency.contracts) services.set(code, contracts);
  const validator = new ContractValidator({ envelope, agencyFile: validateAgencyFile, services });
  return new Catalogue(deepFreeze(loaded.map((agency) => agency.definition)), validator);
}

/** Sub-folders holding an agency.json, by name so that the catalogue order is stable. */
function agencyFolders(root: string): string[] {
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => path.join(root, entry.name))
    .filter((folder) => fs.existsSync(path.join(folder, 'agency.json')))
    .sort();
}

/** Agency and service codes name things in URLs, tokens and the audit log: one meaning each, catalogue-wide. */
function checkUniqueCodes(loaded: readonly LoadedAgency[], problems: CatalogueProblem[]): void {
  const agencyFile = new Map<string, string>();
  const serviceOwner = new Map<string, LoadedAgency>();
  for (const agency of loaded) {
    const { code, sourceFile, services } = agency.definition;
    const file = displayPath(sourceFile);
    const first = agencyFile.get(code);
    if (first) problems.push({ file, pointer: '/code', message: `"${code}" is already the code of the agency in ${first}` });
    else agencyFile.set(code, file);
    services.forEach((service, index) => {
      const owner = serviceOwner.get(service.code);
      if (owner) {
        problems.push({
          file,
          pointer: `/services/${index}/code`,
          message: `"${service.code}" is already a service of agency "${owner.definition.code}" (${displayPath(owner.definition.sourceFile)})`,
        });
      } else {
        serviceOwner.set(service.code, agency);
      }
    });
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
