/**
 * Outbox and inbox as local folders (or a mounted share). Atomic publication relies on rename
 * within one folder, so temporary files live in the outbox itself, under a dot-name that
 * agencies are told to ignore.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { InboxEntry, InboxTransport, OutboxTransport } from './transport';

export const TEMP_PREFIX = '.kiungo-';

export class LocalOutbox implements OutboxTransport {
  private ready?: Promise<void>;

  constructor(readonly folder: string) {}

  async put(name: string, content: Buffer, options: { doneFile?: string; signal?: AbortSignal } = {}): Promise<void> {
    assertPlainName(name);
    await this.ensureFolder();
    const temp = path.join(this.folder, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(temp, 'wx', 0o640);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      options.signal?.throwIfAborted();
      await fs.rename(temp, path.join(this.folder, name));
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
    await syncFolder(this.folder);
    if (options.doneFile) {
      assertPlainName(options.doneFile);
      await fs.writeFile(path.join(this.folder, options.doneFile), '');
    }
  }

  async probe(): Promise<void> {
    await fs.access(this.folder, fsConstants.W_OK);
  }

  private ensureFolder(): Promise<void> {
    this.ready ??= fs.mkdir(this.folder, { recursive: true }).then(
      () => undefined,
      (error: unknown) => {
        this.ready = undefined;
        throw error;
      },
    );
    return this.ready;
  }
}

export class LocalInbox implements InboxTransport {
  readonly processedFolder: string;
  readonly failedFolder: string;

  constructor(readonly folder: string) {
    this.processedFolder = path.join(folder, 'processed');
    this.failedFolder = path.join(folder, 'failed');
  }

  async list(limit: number): Promise<InboxEntry[]> {
    const dirents = await fs.readdir(this.folder, { withFileTypes: true });
    const entries: InboxEntry[] = [];
    for (const dirent of dirents) {
      if (!dirent.isFile() || dirent.name.startsWith('.')) continue;
      const stat = await fs.stat(path.join(this.folder, dirent.name)).catch(() => undefined);
      if (stat) entries.push({ name: dirent.name, size: stat.size, mtimeMs: stat.mtimeMs });
      if (entries.length >= limit) break;
    }
    return entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
  }

  async read<T>(name: string, maxBytes: number, consume: (chunks: AsyncIterable<Buffer>) => Promise<T>): Promise<T> {
    assertPlainName(name);
    // `end` is inclusive: at most maxBytes + 1 bytes are read, however large the file.
    const stream = createReadStream(path.join(this.folder, name), { end: maxBytes, highWaterMark: 64 * 1024 });
    try {
      return await consume(stream);
    } finally {
      stream.destroy();
    }
  }

  async exists(name: string): Promise<boolean> {
    assertPlainName(name);
    return fs.access(path.join(this.folder, name)).then(
      () => true,
      () => false,
    );
  }

  async remove(name: string): Promise<void> {
    assertPlainName(name);
    await fs.rm(path.join(this.folder, name), { force: true });
  }

  async moveToProcessed(name: string): Promise<void> {
    await this.moveInto(this.processedFolder, name);
  }

  async moveToFailed(name: string, reason: string): Promise<void> {
    const target = await this.moveInto(this.failedFolder, name);
    if (target) await fs.writeFile(`${target}.reason.txt`, `${new Date().toISOString()} ${reason}\n`);
  }

  async probe(): Promise<void> {
    await fs.access(this.folder, fsConstants.R_OK | fsConstants.W_OK);
  }

  /** Where the file went; undefined when it was already gone (another worker replica moved it). */
  private async moveInto(folder: string, name: string): Promise<string | undefined> {
    assertPlainName(name);
    await fs.mkdir(folder, { recursive: true });
    let target = path.join(folder, name);
    // An agency that sends the same answer twice under one name must not overwrite the first copy.
    if (await exists(target)) target = path.join(folder, `${name}.${Date.now()}-${randomBytes(3).toString('hex')}`);
    try {
      await fs.rename(path.join(this.folder, name), target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return target;
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Makes the rename durable: without it a power cut can bring back the old directory entry. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await fs.open(folder, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

function assertPlainName(name: string): void {
  if (name === '' || name !== path.basename(name) || name === '.' || name === '..') throw new Error(`not a plain file name: ${name}`);
}
