/**
 * Outbox and inbox on an SFTP server (ssh2-sftp-client), with the same guarantees as the local
 * folders: a request is uploaded under a dot-name in the outbox and renamed into place, so the
 * agency never picks up half a file; answers are listed, read and moved to `processed/` or
 * `failed/` beside them on the server. The rename uses OpenSSH's posix-rename extension, which
 * replaces an earlier file of the same name in one step (a retry replaces, never duplicates);
 * on a server without it, the earlier file is deleted first, then the plain rename runs.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type SftpClient from 'ssh2-sftp-client';
import type { SftpConnection } from './sftp-connection';
import { TEMP_PREFIX } from './local-folder.transport';
import type { InboxEntry, InboxTransport, OutboxTransport } from './transport';

const posix = path.posix;

export class SftpOutbox implements OutboxTransport {
  private folderChecked = false;
  private posixRename = true;

  constructor(
    private readonly connection: SftpConnection,
    readonly folder: string,
  ) {}

  async put(name: string, content: Buffer, options: { doneFile?: string; signal?: AbortSignal } = {}): Promise<void> {
    assertPlainName(name);
    if (options.doneFile) assertPlainName(options.doneFile);
    await this.connection.run(`upload of ${name}`, async (client) => {
      options.signal?.throwIfAborted();
      if (!this.folderChecked) {
        await ensureFolder(client, this.folder);
        this.folderChecked = true;
      }
      const temp = posix.join(this.folder, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}.tmp`);
      await client.put(content, temp, { writeStreamOptions: { mode: 0o640 } });
      try {
        options.signal?.throwIfAborted();
        await this.publish(client, temp, posix.join(this.folder, name));
      } catch (error) {
        await client.delete(temp, true).catch(() => undefined);
        throw error;
      }
      if (options.doneFile) await client.put(Buffer.alloc(0), posix.join(this.folder, options.doneFile));
    });
  }

  probe(): Promise<void> {
    return this.connection.run('outbox check', async (client) => {
      if ((await client.exists(this.folder)) !== 'd') throw new Error(`outbox ${this.folder} is not a folder on the server`);
    });
  }

  private async publish(client: SftpClient, temp: string, target: string): Promise<void> {
    if (this.posixRename) {
      try {
        await client.posixRename(temp, target);
        return;
      } catch (error) {
        if (!/does not support/i.test((error as Error).message)) throw error;
        this.posixRename = false;
      }
    }
    // SFTP v3 rename refuses an existing target: the earlier request goes first (a short window
    // in which the agency sees neither, never half of one).
    await client.delete(target, true);
    await client.rename(temp, target);
  }
}

export class SftpInbox implements InboxTransport {
  readonly processedFolder: string;
  readonly failedFolder: string;

  constructor(
    private readonly connection: SftpConnection,
    readonly folder: string,
  ) {
    this.processedFolder = posix.join(folder, 'processed');
    this.failedFolder = posix.join(folder, 'failed');
  }

  list(limit: number): Promise<InboxEntry[]> {
    return this.connection.run('inbox listing', async (client) => {
      const files = await client.list(this.folder);
      return files
        .filter((file) => file.type === '-' && !file.name.startsWith('.'))
        .slice(0, limit)
        .map((file) => ({ name: file.name, size: file.size, mtimeMs: file.modifyTime }))
        .sort((a, b) => a.mtimeMs - b.mtimeMs);
    });
  }

  async read<T>(name: string, maxBytes: number, consume: (chunks: AsyncIterable<Buffer>) => Promise<T>): Promise<T> {
    assertPlainName(name);
    return this.connection.run(`download of ${name}`, async (client) => {
      // `end` is inclusive: at most maxBytes + 1 bytes cross the link, however large the file.
      const stream = client.createReadStream(posix.join(this.folder, name), { end: maxBytes }) as NodeJS.ReadableStream & { destroy(): void };
      try {
        return await consume(stream as AsyncIterable<Buffer>);
      } finally {
        stream.destroy();
      }
    });
  }

  async exists(name: string): Promise<boolean> {
    assertPlainName(name);
    return this.connection.run(`look-up of ${name}`, async (client) => (await client.exists(posix.join(this.folder, name))) !== false);
  }

  async remove(name: string): Promise<void> {
    assertPlainName(name);
    await this.connection.run(`removal of ${name}`, (client) => client.delete(posix.join(this.folder, name), true));
  }

  async moveToProcessed(name: string): Promise<void> {
    await this.moveInto(this.processedFolder, name);
  }

  async moveToFailed(name: string, reason: string): Promise<void> {
    const target = await this.moveInto(this.failedFolder, name);
    if (!target) return;
    const note = Buffer.from(`${new Date().toISOString()} ${reason}\n`);
    await this.connection.run(`reason for ${name}`, (client) => client.put(note, `${target}.reason.txt`));
  }

  probe(): Promise<void> {
    return this.connection.run('inbox check', async (client) => {
      await client.list(this.folder);
    });
  }

  /** Where the file went; undefined when it was already gone (another worker replica moved it). */
  private async moveInto(folder: string, name: string): Promise<string | undefined> {
    assertPlainName(name);
    return this.connection.run(`move of ${name}`, async (client) => {
      await ensureFolder(client, folder);
      let target = posix.join(folder, name);
      // An agency that sends the same answer twice under one name must not overwrite the first copy.
      if ((await client.exists(target)) !== false) target = posix.join(folder, `${name}.${Date.now()}-${randomBytes(3).toString('hex')}`);
      try {
        await client.rename(posix.join(this.folder, name), target);
      } catch (error) {
        if (isNoSuchFile(error)) return undefined;
        throw error;
      }
      return target;
    });
  }
}

async function ensureFolder(client: SftpClient, folder: string): Promise<void> {
  if ((await client.exists(folder)) !== 'd') await client.mkdir(folder, true);
}

/** SFTP status 2 (SSH_FX_NO_SUCH_FILE), however the library words it. */
function isNoSuchFile(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 2 || code === 'ENOENT' || (typeof message === 'string' && /no such file/i.test(message));
}

function assertPlainName(name: string): void {
  if (name === '' || name !== posix.basename(name) || name === '.' || name === '..' || name.includes('\\')) {
    throw new Error(`not a plain file name: ${name}`);
  }
}
