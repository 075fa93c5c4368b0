/**
 * The file-drop section of an agency file, read into a typed object with its defaults (the
 * same values as contracts/src/kinds/file-drop.kind.ts). Folders are resolved in this order:
 *   1. an endpoint override (embedded demo, tests): a folder holding `outbox/` and `inbox/`;
 *   2. the environment variables named by `outboxEnv` / `inboxEnv`;
 *   3. `outbox` / `inbox` from the file (relative paths are relative to the agency folder).
 */
import path from 'node:path';
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import { AgencyCallError, type AdapterFactoryOptions } from '../agency-adapter.port';
import { FILE_FORMATS, type FileFormat } from './file-drop-document';

export interface FileDropConfig {
  format: FileFormat;
  outbox: string;
  inbox: string;
  /** E.g. `.done`: we write `<file>.done` after each request, and wait for one beside each answer. */
  doneFileSuffix?: string;
  pollIntervalMs: number;
  /** Without done-files, an answer is read once its size held still across two polls and it is this old. */
  settleMs: number;
  /** How long a dispatched transaction waits for its answer before the attempt counts as timed out. */
  answerTimeoutMs: number;
}

export const FILE_DROP_DEFAULTS = Object.freeze({
  format: 'json' as FileFormat,
  pollIntervalMs: 1000,
  settleMs: 1000,
  answerTimeoutMs: 900_000,
});

export function parseFileDropConfig(agency: AgencyDefinition, opts: Pick<AdapterFactoryOptions, 'env' | 'endpointOverride'>): FileDropConfig {
  const adapter = agency.adapter;
  const where = `agency ${agency.code} adapter`;
  const format = adapter.format ?? FILE_DROP_DEFAULTS.format;
  if (!(FILE_FORMATS as readonly unknown[]).includes(format)) throw misconfigured(`${where}.format must be one of ${FILE_FORMATS.join(', ')}`);
  const folders = resolveFolders(agency, opts, where);
  const doneFileSuffix = optionalString(adapter, 'doneFileSuffix', where);
  if (doneFileSuffix !== undefined && !/^\.[A-Za-z0-9_-]{1,20}$/.test(doneFileSuffix)) {
    throw misconfigured(`${where}.doneFileSuffix must look like ".done"`);
  }
  return {
    format: format as FileFormat,
    ...folders,
    doneFileSuffix,
    pollIntervalMs: integer(adapter, 'pollIntervalMs', FILE_DROP_DEFAULTS.pollIntervalMs, where),
    settleMs: integer(adapter, 'settleMs', FILE_DROP_DEFAULTS.settleMs, where),
    answerTimeoutMs: integer(adapter, 'answerTimeoutMs', FILE_DROP_DEFAULTS.answerTimeoutMs, where),
  };
}

function resolveFolders(agency: AgencyDefinition, opts: Pick<AdapterFactoryOptions, 'env' | 'endpointOverride'>, where: string): { outbox: string; inbox: string } {
  if (opts.endpointOverride) {
    const root = path.resolve(opts.endpointOverride);
    return { outbox: path.join(root, 'outbox'), inbox: path.join(root, 'inbox') };
  }
  const pick = (key: 'outbox' | 'inbox'): string => {
    const envName = optionalString(agency.adapter, `${key}Env`, where);
    const fromEnv = envName ? opts.env[envName]?.trim() : undefined;
    const value = fromEnv || optionalString(agency.adapter, key, where);
    if (!value) throw misconfigured(`${where}.${key} is required (or set ${envName ?? `${key}Env`})`);
    return path.resolve(agency.folder, value);
  };
  const folders = { outbox: pick('outbox'), inbox: pick('inbox') };
  if (folders.outbox === folders.inbox) throw misconfigured(`${where}: outbox and inbox must be different folders`);
  return folders;
}

function optionalString(source: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = source[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw misconfigured(`${where}.${key} must be a non-empty string`);
  return value;
}

function integer(source: Record<string, unknown>, key: string, fallback: number, where: string): number {
  const value = source[key] ?? fallback;
  if (!Number.isInteger(value) || (value as number) < 0) throw misconfigured(`${where}.${key} must be a whole number of milliseconds`);
  return value as number;
}

function misconfigured(reason: string): AgencyCallError {
  return new AgencyCallError('misconfigured', reason);
}
