/**
 * The file-drop section of an agency file, read into a typed object with its defaults (the
 * same values as contracts/src/kinds/file-drop.kind.ts). Folders are resolved in this order:
 *   1. an endpoint override (embedded demo, tests): a folder holding `outbox/` and `inbox/`;
 *   2. the environment variables named by `outboxEnv` / `inboxEnv`;
 *   3. `outbox` / `inbox` from the file (relative paths are relative to the agency folder).
 * With `transport: "sftp"`, outbox and inbox are paths on the SFTP server (absolute, or relative to
 * the login folder) and the `sftp` block says how to reach it (./sftp-config.ts). An endpoint
 * override that is a folder still means local folders (the embedded demo); an `sftp://host:port`
 * override keeps SFTP and replaces the host and port.
 * The catalogue loader has checked the block against agency-file.v1.json; what is refused here
 * (`misconfigured`) only shows at run time: folders named by unset environment variables, and the
 * folder check (./folder-pair.ts) of the folders actually used, wherever they came from.
 */
import path from 'node:path';
import type { FileDropAdapterBlock } from '../../contracts/src/agency-adapter.types';
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import type { AdapterFactoryOptions } from '../agency-adapter.port';
import { misconfigured } from '../config-readers';
import type { FileFormat } from './file-drop-document';
import { folderPairProblems, resolveFolderPair, type FolderBase, type FolderPair } from './folder-pair';
import { parseSftpSettings, type SftpSettings } from './sftp-config';
import { FILE_DROP_ADAPTER_DEFAULTS } from '../../contracts/src/kinds/file-drop.kind';

export type FileDropTransport = NonNullable<FileDropAdapterBlock['transport']>;

export interface FileDropConfig {
  format: FileFormat;
  /** Where outbox and inbox live: `local` folders, or paths on an `sftp` server. */
  transport: FileDropTransport;
  /** Set when `transport` is `sftp`. */
  sftp?: SftpSettings;
  outbox: string;
  inbox: string;
  /** E.g. `.done`: we write `<file>.done` after each request, and wait for one beside each answer. */
  doneFileSuffix?: string;
  pollIntervalMs: number;
  /** Without done-files, an answer is read once its size held still across two polls and it is this old. */
  settleMs: number;
  /** How long a dispatched transaction waits for its answer before the attempt counts as timed out. */
  answerTimeoutMs: number;
  /** Answer files larger than this go to `failed/` unread; none is ever read past it. */
  maxAnswerBytes: number;
}

/** The file-drop kind's defaults, kept once in contracts beside the schema's `default` annotations. */
const FILE_DROP_DEFAULTS = Object.freeze({ ...FILE_DROP_ADAPTER_DEFAULTS, format: FILE_DROP_ADAPTER_DEFAULTS.format as FileFormat });

export function parseFileDropConfig(agency: AgencyDefinition, opts: Pick<AdapterFactoryOptions, 'env' | 'endpointOverride'>): FileDropConfig {
  // The catalogue loader validated the block against $defs/kinds/file-drop of agency-file.v1.json.
  const adapter = agency.adapter as unknown as FileDropAdapterBlock;
  const where = `agency ${agency.code} adapter`;
  const overrideIsFolder = opts.endpointOverride !== undefined && !opts.endpointOverride.startsWith('sftp://');
  const remote = adapter.transport === 'sftp' && !overrideIsFolder;
  const folders = remote ? resolveRemoteFolders(adapter, opts, where) : resolveFolders(agency, adapter, opts, where);
  return {
    format: adapter.format ?? FILE_DROP_DEFAULTS.format,
    transport: remote ? 'sftp' : 'local',
    // With transport sftp, the schema requires the sftp block.
    ...(remote ? { sftp: parseSftpSettings(adapter.sftp!, opts, where) } : {}),
    ...folders,
    doneFileSuffix: adapter.doneFileSuffix,
    pollIntervalMs: adapter.pollIntervalMs ?? FILE_DROP_DEFAULTS.pollIntervalMs,
    settleMs: adapter.settleMs ?? FILE_DROP_DEFAULTS.settleMs,
    answerTimeoutMs: adapter.answerTimeoutMs ?? FILE_DROP_DEFAULTS.answerTimeoutMs,
    maxAnswerBytes: adapter.maxAnswerBytes ?? FILE_DROP_DEFAULTS.maxAnswerBytes,
  };
}

function resolveFolders(
  agency: AgencyDefinition,
  adapter: FileDropAdapterBlock,
  opts: Pick<AdapterFactoryOptions, 'env' | 'endpointOverride'>,
  where: string,
): FolderPair {
  const base: FolderBase = { kind: 'local', agencyFolder: agency.folder };
  if (opts.endpointOverride) {
    const root = path.resolve(opts.endpointOverride);
    return checkedFolders({ outbox: path.join(root, 'outbox'), inbox: path.join(root, 'inbox') }, base, where);
  }
  return checkedFolders(configuredFolders(adapter, opts, where), base, where);
}

/** Paths on the SFTP server: taken as written (POSIX), never resolved against a local folder. */
function resolveRemoteFolders(adapter: FileDropAdapterBlock, opts: Pick<AdapterFactoryOptions, 'env'>, where: string): FolderPair {
  return checkedFolders(configuredFolders(adapter, opts, where), { kind: 'sftp' }, where);
}

/** As written: from the environment variables named by `outboxEnv` / `inboxEnv`, else from the file. */
function configuredFolders(adapter: FileDropAdapterBlock, opts: Pick<AdapterFactoryOptions, 'env'>, where: string): FolderPair {
  const pick = (key: 'outbox' | 'inbox'): string => {
    const envName = adapter[`${key}Env`];
    const value = (envName ? opts.env[envName]?.trim() : undefined) || adapter[key];
    if (!value) throw misconfigured(`${where}.${key} is required (or set ${envName ?? `${key}Env`})`);
    return value;
  };
  return { outbox: pick('outbox'), inbox: pick('inbox') };
}

/** The one folder check the conformance kit runs too (./folder-pair.ts): nothing is written through a bad pair. */
function checkedFolders(pair: FolderPair, base: FolderBase, where: string): FolderPair {
  const [problem] = folderPairProblems(pair, base);
  if (problem) throw misconfigured(`${where}.${problem.field} ${problem.message}`);
  return resolveFolderPair(pair, base);
}
