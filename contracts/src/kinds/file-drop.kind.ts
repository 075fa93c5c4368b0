/**
 * The `file-drop` adapter kind: request files written into an outbox folder, answer files read
 * from an inbox folder (adapters/file-drop), on this machine or (`transport: "sftp"`) on an SFTP
 * server whose host key is pinned by `sftp.hostKeySha256`. Defaults here match the `default` annotations in
 * agency-file.v1.json; adapters/file-drop/file-drop-config.ts takes them from here.
 */
import { MAX_AGENCY_ANSWER_BYTES } from '../catalogue.defaults';
import type { AdapterKindRules } from './adapter-kind.rules';
import { requiredProperties } from './schema-fields';

export const FILE_DROP_ADAPTER_DEFAULTS = Object.freeze({
  format: 'json',
  pollIntervalMs: 1000,
  settleMs: 1000,
  answerTimeoutMs: 900_000,
  /** An answer is a few hundred bytes; anything this big is a mistake, moved to failed/ unread. */
  maxAnswerBytes: MAX_AGENCY_ANSWER_BYTES,
});

/** Defaults of the `sftp` block (transport `sftp`), as in agency-file.v1.json; adapters/file-drop/sftp-config.ts takes them from here. */
export const FILE_DROP_SFTP_DEFAULTS = Object.freeze({
  port: 22,
  timeoutMs: 10_000,
});

/** Columns and elements of an answer file that are not result fields. */
const ANSWER_FIELDS = ['transactionId', 'status', 'code', 'reason'];

export const fileDropKind: AdapterKindRules = {
  kind: 'file-drop',

  adapterWithDefaults(adapter) {
    const sftp = adapter.sftp as Record<string, unknown> | undefined;
    return { ...FILE_DROP_ADAPTER_DEFAULTS, ...adapter, ...(sftp ? { sftp: { ...FILE_DROP_SFTP_DEFAULTS, ...sftp } } : {}), kind: 'file-drop' };
  },

  operationWithDefaults(operation) {
    return { ...operation };
  },

  checkService({ service, pointer, responseSchema }) {
    // An answer's result is its `reference` plus its result fields; the response schema cannot
    // require a field an answer file never carries as a result.
    const clashes = requiredProperties(responseSchema).filter((field) => ANSWER_FIELDS.includes(field));
    return clashes.map((field) => ({
      pointer: `${pointer}/response`,
      message: `requires "${field}", which a file-drop answer uses for itself and never returns as a result (${service.response})`,
    }));
  },
};
