/**
 * The one check of a file-drop agency's outbox and inbox, run by the runtime (parseFileDropConfig,
 * so such an agency is `misconfigured` and nothing is written) and by the conformance kit (which
 * names the field in the agency file). Request files carry personal data and answers are moved
 * about, so:
 *   - neither folder is a root folder (`/`, `C:\`);
 *   - a relative path stays inside the agency folder (local) or the login folder (SFTP);
 *   - neither folder is, or holds, the agency folder (its agency.json, schemas and fixtures);
 *   - the two are different folders after normalisation, and neither lies inside the other.
 */
import path from 'node:path';

export type FolderField = 'outbox' | 'inbox';

export interface FolderProblem {
  field: FolderField;
  message: string;
}

/** Where the folders live: on this machine, relative to the agency folder, or on an SFTP server. */
export type FolderBase = { kind: 'local'; agencyFolder: string } | { kind: 'sftp' };

export interface FolderPair {
  outbox: string;
  inbox: string;
}

/** The folders as the adapter uses them: local ones absolute, SFTP ones normalised POSIX paths. */
export function resolveFolderPair(pair: FolderPair, base: FolderBase): FolderPair {
  const resolve = (value: string): string => (base.kind === 'local' ? path.resolve(base.agencyFolder, value) : normalisePosix(value));
  return { outbox: resolve(pair.outbox), inbox: resolve(pair.inbox) };
}

export function folderPairProblems(pair: FolderPair, base: FolderBase): FolderProblem[] {
  const paths = base.kind === 'local' ? path : path.posix;
  const resolved = resolveFolderPair(pair, base);
  const problems: FolderProblem[] = [];
  for (const field of ['outbox', 'inbox'] as const) {
    const problem = folderProblem(pair[field], resolved[field], base);
    if (problem) problems.push({ field, message: problem });
  }
  if (problems.length > 0) return problems;
  if (resolved.outbox === resolved.inbox) problems.push({ field: 'outbox', message: `is the same folder as the inbox (${resolved.inbox})` });
  else if (inside(paths, resolved.inbox, resolved.outbox)) problems.push({ field: 'outbox', message: `lies inside the inbox (${resolved.inbox}): they must be separate folders` });
  else if (inside(paths, resolved.outbox, resolved.inbox)) problems.push({ field: 'inbox', message: `lies inside the outbox (${resolved.outbox}): they must be separate folders` });
  return problems;
}

function folderProblem(written: string, folder: string, base: FolderBase): string | undefined {
  const paths = base.kind === 'local' ? path : path.posix;
  if (paths.isAbsolute(folder) && paths.parse(folder).root === folder) return `is the root folder ${folder}: give the agency a folder of its own`;
  if (base.kind === 'local') {
    const agencyFolder = path.resolve(base.agencyFolder);
    if (folder === agencyFolder) return 'is the agency folder: requests and answers need a folder of their own';
    if (inside(path, folder, agencyFolder)) return `holds the agency folder (${folder}): requests and answers need a folder of their own`;
    if (!path.isAbsolute(written) && !inside(path, agencyFolder, folder)) {
      return `"${written}" leaves the agency folder: give an absolute path, or one inside the agency folder`;
    }
  } else if (!paths.isAbsolute(written) && (folder === '..' || folder.startsWith('../'))) {
    return `"${written}" leaves the login folder: give an absolute path, or one inside the login folder`;
  }
  return undefined;
}

/** True when `child` lies strictly below `parent`. */
function inside(paths: typeof path.posix, parent: string, child: string): boolean {
  const relative = paths.relative(paths.resolve(parent), paths.resolve(child));
  return relative !== '' && !relative.startsWith('..') && !paths.isAbsolute(relative);
}

/** `a/b/`, `a//b` and `./a/b` are one folder: `a/b`. */
function normalisePosix(value: string): string {
  const normalised = path.posix.normalize(value);
  return normalised.length > 1 && normalised.endsWith('/') ? normalised.slice(0, -1) : normalised;
}
