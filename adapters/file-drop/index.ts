/** The file-drop adapter kind: request files into an outbox, answers read from an inbox. */
export { FileDropAdapter, createFileDropAdapter, requestFileName } from './file-drop.adapter';
export { parseFileDropConfig, type FileDropConfig, type FileDropTransport } from './file-drop-config';
export { openFileDropTransports, type FileDropTransports } from './file-drop-transports';
export { parseSftpSettings, type SftpCredentials, type SftpSettings } from './sftp-config';
export { SftpConnection, fingerprint, leaseSftpConnection } from './sftp-connection';
export { SftpInbox, SftpOutbox } from './sftp.transport';
export {
  FILE_FORMATS,
  UnreadableFileError,
  answerOutcome,
  type AgencyAnswer,
  type FileCodec,
  type FileFormat,
  type RequestDocument,
} from './file-drop-document';
export { codecFor } from './codecs';
export { InboxPoller, type AnswerHandling, type InboxLogger, type InboxPollerOptions, type PollReport } from './inbox-poller';
export { LocalInbox, LocalOutbox, TEMP_PREFIX } from './local-folder.transport';
export type { InboxEntry, InboxTransport, OutboxTransport } from './transport';
