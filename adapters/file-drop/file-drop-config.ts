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
 */
import path from 'node:path';
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import type { AdapterFactoryOptions } from '../agency-adapter.port';
import { misconfigured, optionalString } from '../config-readers';
import { FILE_FORMATS, type FileFormat } from './file-drop-document';
import { folderPairProblems, resolveFolderPair, type FolderBase, type FolderPair } from './folder-pair';
import { parseSftpSettings, type SftpSettings } from './sftp-config';

export const FILE_DROP_TRANSPORTS = ['local', 'sftp'] as const;
export type FileDropTransport = (typeof FILE_DROP_TRANSPORTS)[number];

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

export const FILE_DROP_DEFAULTS = Object.freeze({
  format: 'json' as FileFormat,
  pollIntervalMs: 1000,
  settleMs: 1000,
  answerTimeoutMs: 900_000,
  maxAnswerBytes: 1_048_576,
});

export function parseFileDropConfig(agency: AgencyDefinition, opts: Pick<AdapterFactoryOptions, 'env' | 'endpointOverride'>): FileDropConfig {
  const adapter = agency.adapter;
  const where = `agency ${agency.code} adapter`;
  const format = adapter.format ?? FILE_DROP_DEFAULTS.format;
  if (!(FILE_FORMATS as readonly unknown[]).includes(format)) throw misconfigured(`${where}.format must be one of ${FILE_FORMATS.join(', ')}`);
  const transport = adapter.transport ?? 'local';
  if (!(FILE_DROP_TRANSPORTS as readonly unknown[]).includes(transport)) throw misconfigured(`${where}.transport must be one of ${FILE_DROP_TRANSPORTS.join(', ')}`);
  const overrideIsFolder = opts.endpointOverride !== undefined && !opts.endpointOverride.startsWith('sftp://');
  const remote = transport === 'sftp' && !overrideIsFolder;
  const folders = remote ? resolveRemoteFolders(agency, opts, where) : resolveFolders(agency, opts, where);
  const doneFileSuffix = optionalString(adapter, 'doneFileSuffix', where);
  if (doneFileSuffix !== undefined && !/^\.[A-Za-z0-9_-]{1,20}$/.test(doneFileSuffix)) {
    throw misconfigured(`${where}.doneFileSuffix must look like ".done"`);
  }
  return {
    format: format as FileFormat,
    transport: remote ? 'sftp' : 'local',
    ...(remote ? { sftp: parseSftpSettings(adapter.sftp, opts, where) } : {}),
    ...folders,
    doneFileSuffix,
    pollIntervalMs: integer(adapter, 'pollIntervalMs', FILE_DROP_DEFAULTS.pollIntervalMs, where),
    settleMs: integer(adapter, 'settleMs', FILE_DROP_DEFAULTS.settleMs, where),
    answerTimeoutMs: integer(adapter, 'answerTimeoutMs', FILE_DROP_DEFAULTS.answerTimeoutMs, where),
    maxAnswerBytes: integer(adapter, 'maxAnswerBytes', FILE_DROP_DEFAULTS.maxAnswerBytes, where, 'bytes'),
  };
}

function resolveFolders(agency: AgencyDefinition, opts: Pick<AdapterFactoryOptions, 'env' | 'endpointOverride'>, where: string): FolderPair {
  if (opts.endpointOverride) {
    const root = path.resolve(opts.endpointOverride);
    return checkedFolders({ outbox: path.join(root, 'outbox'), inbox: path.join(root, 'inbox') }, { kind: 'local', agencyFolder: agency.folder }, where);
  }
  return checkedFolders(configuredFolders(agency, opts, where), { kind: 'local', agencyFolder: agency.folder }, where);
}

/** Paths on the SFTP server: taken as written (POSIX), never resolved against a local folder. */
function resolveRemoteFolders(agency: AgencyDefinition, opts: Pick<AdapterFactoryOptions, 'env'>, where: string): FolderPair {
  return checkedFolders(configuredFolders(agency, opts, where), { kind: 'sftp' }, where);
}

/** As written: from the environment variables named by `outboxEnv` / `inboxEnv`, else from the file. */
function configuredFolders(agency: AgencyDefinition, opts: Pick<AdapterFactoryOptions, 'env'>, where: string): FolderPair {
  const pick = (key: 'outbox' | 'inbox'): string => {
    const envName = optionalString(agency.adapter, `${key}Env`, where);
    const value = (envName ? opts.env[envName]?.trim() : undefined) || optionalString(agency.adapter, key, where);
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

function integer(source: Record<string, unknown>, key: string, fallback: number, where: string, unit = 'milliseconds'): number {
  const value = source[key] ?? fallback;
  if (!Number.isInteger(value) || (value as number) < 0) throw misconfigured(`${where}.${key} must be a whole number of ${unit}`);
  return value as number;
}
