/**
 * Builds an agency's outbox and inbox from its config: local folders, or paths on its SFTP server
 * over the one connection the agency has in this process. `release` gives the connection back.
 */
import type { FileDropConfig } from './file-drop-config';
import { LocalInbox, LocalOutbox } from './local-folder.transport';
import { leaseSftpConnection } from './sftp-connection';
import { SftpInbox, SftpOutbox } from './sftp.transport';
import type { InboxTransport, OutboxTransport } from './transport';

export interface FileDropTransports {
  outbox: OutboxTransport;
  inbox: InboxTransport;
  release(): Promise<void>;
}

export type TransportConfig = Pick<FileDropConfig, 'outbox' | 'inbox'> & Partial<Pick<FileDropConfig, 'transport' | 'sftp'>>;

export function openFileDropTransports(agencyCode: string, config: TransportConfig): FileDropTransports {
  if (config.transport !== 'sftp') {
    return { outbox: new LocalOutbox(config.outbox), inbox: new LocalInbox(config.inbox), release: async () => undefined };
  }
  if (!config.sftp) throw new Error(`agency ${agencyCode}: transport sftp without sftp settings`);
  const connection = leaseSftpConnection(agencyCode, config.sftp);
  let released = false;
  return {
    outbox: new SftpOutbox(connection, config.outbox),
    inbox: new SftpInbox(connection, config.inbox),
    release: async () => {
      if (released) return;
      released = true;
      await connection.release();
    },
  };
}
