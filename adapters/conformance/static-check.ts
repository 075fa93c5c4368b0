/**
 * The offline half of the conformance kit: the agency folder loads as a one-agency catalogue
 * (agency file against agency-file.v1.json, schemas compiled, the kind's mapping checks), a
 * file-drop agency's outbox and inbox pass the runtime's folder check (adapters/file-drop/folder-pair.ts),
 * and its fixtures agree with its schemas (ok ones pass, not-ok ones fail for the expected reason).
 * Every problem names the file and, inside it, the field.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CatalogueError, displayPath, type CatalogueProblem } from '../../contracts/src/catalogue-error';
import { loadCatalogue } from '../../contracts/src/catalogue.loader';
import type { Catalogue } from '../../contracts/src/catalogue';
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import { folderPairProblems } from '../file-drop/folder-pair';
import { messageName, readExpectations, readFixtures, type Fixture } from './fixture-files';

export interface StaticCheck {
  /** The agency as the catalogue loader builds it; absent when the folder does not load. */
  agency?: AgencyDefinition;
  catalogue?: Catalogue;
  problems: CatalogueProblem[];
}

export function checkAgencyFolderStatically(agencyFolder: string): StaticCheck {
  const folder = path.resolve(agencyFolder);
  if (!fs.existsSync(path.join(folder, 'agency.json'))) {
    return { problems: [{ file: displayPath(path.join(folder, 'agency.json')), message: 'does not exist: an agency folder holds an agency.json' }] };
  }
  // The loader reads a catalogue (a folder of agency folders): give it one holding just this agency.
  const root = fs.mkdtempSync(path.join(tmpdir(), 'kiungo-adapter-check-'));
  const copy = path.join(root, path.basename(folder));
  try {
    fs.cpSync(folder, copy, { recursive: true });
    const catalogue = loadCatalogue(root);
    // Definitions point at the copy; point them back at the real folder (WSDLs, outboxes are relative to it).
    const agency = { ...catalogue.agencies[0], folder, sourceFile: path.join(folder, 'agency.json') };
    return { agency, catalogue, problems: [...folderProblems(agency), ...fixtureProblems(agency, catalogue)] };
  } catch (error) {
    if (!(error instanceof CatalogueError)) throw error;
    const shownCopy = displayPath(copy);
    return { problems: error.problems.map((p) => ({ ...p, file: p.file.replace(shownCopy, displayPath(folder)) })) };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** A file-drop agency's outbox and inbox, by the check the runtime runs too (environment overrides are checked there). */
function folderProblems(agency: AgencyDefinition): CatalogueProblem[] {
  const { kind, outbox, inbox, transport } = agency.adapter;
  if (kind !== 'file-drop' || typeof outbox !== 'string' || typeof inbox !== 'string') return [];
  const base = transport === 'sftp' ? ({ kind: 'sftp' } as const) : ({ kind: 'local', agencyFolder: agency.folder } as const);
  const file = displayPath(agency.sourceFile);
  return folderPairProblems({ outbox, inbox }, base).map(({ field, message }) => ({ file, pointer: `/adapter/${field}`, message }));
}

function fixtureProblems(agency: AgencyDefinition, catalogue: Catalogue): CatalogueProblem[] {
  const problems: CatalogueProblem[] = [];
  for (const service of agency.services) {
    const messages = [
      { message: messageName(service.requestSchemaId), validate: (v: unknown) => catalogue.validator.validateRequest(service.code, v), prefix: '/payload' },
      { message: messageName(service.responseSchemaId), validate: (v: unknown) => catalogue.validator.validateResponse(service.code, v), prefix: '' },
    ];
    for (const { message, validate, prefix } of messages) {
      const shown = (fixture: Fixture): string => displayPath(path.join(agency.folder, fixture.file));
      const ok = readFixtures(agency.folder, message, 'ok');
      const notOk = readFixtures(agency.folder, message, 'not-ok');
      if (ok.length === 0) {
        problems.push({ file: displayPath(path.join(agency.folder, 'fixtures', message, 'ok')), message: `has no fixture: service ${service.code} needs at least one valid example` });
      }
      for (const fixture of ok) {
        if (fixture.unreadable) {
          problems.push({ file: shown(fixture), message: `is not JSON (${fixture.unreadable})` });
          continue;
        }
        for (const error of validate(fixture.value)) {
          problems.push({ file: shown(fixture), pointer: error.field.slice(prefix.length), message: `${error.message} (an ok fixture must be valid)` });
        }
      }
      const expected = readExpectations(agency.folder, message) ?? {};
      for (const fixture of notOk) {
        const expectation = expected[fixture.name];
        if (fixture.unreadable || !expectation) {
          problems.push({ file: shown(fixture), message: fixture.unreadable ? `is not JSON (${fixture.unreadable})` : 'has no entry in expected-errors.json' });
          continue;
        }
        const errors = validate(fixture.value);
        const found = errors.some((e) => e.field === prefix + expectation.field && e.message.includes(expectation.message));
        if (!found) {
          const got = errors.length === 0 ? 'it is valid' : errors.map((e) => `${e.field.slice(prefix.length) || '(root)'} ${e.message}`).join('; ');
          problems.push({ file: shown(fixture), pointer: expectation.field, message: `should fail with "${expectation.message}", but ${got}` });
        }
      }
    }
  }
  return problems;
}
