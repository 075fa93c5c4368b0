/** The file-drop adapter kind: request files into an outbox, answers read from an inbox. */
export { FileDropAdapter, createFileDropAdapter, requestFileName } from './file-drop.adapter';
export { FILE_DROP_DEFAULTS, parseFileDropConfig, type FileDropConfig } from './file-drop-config';
export {
  FILE_FORMATS,
  UnreadableFileError,
  type AgencyAnswer,
  type FileCodec,
  type FileFormat,
  type RequestDocument,
} from './file-drop-document';
export { codecFor } from './codecs';
export { InboxPoller, type AnswerHandling, type InboxLogger, type InboxPollerOptions, type PollReport } from './inbox-poller';
export { LocalInbox, LocalOutbox, TEMP_PREFIX } from './local-folder.transport';
export type { InboxEntry, InboxTransport, OutboxTransport } from './transport';
