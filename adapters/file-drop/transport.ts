/**
 * Where request files go and answer files come from: local folders (./local-folder.transport.ts)
 * or paths on an SFTP server (./sftp.transport.ts, ssh2-sftp-client); ./file-drop-transports.ts
 * picks one from the agency's config.
 */

export interface OutboxTransport {
  /**
   * Publishes `content` as `name` so that the agency never sees a partial file: written under a
   * temporary name, flushed, then renamed over any earlier file of the same name (a retry
   * replaces, never duplicates). With `doneFile`, an empty marker file is created afterwards.
   */
  put(name: string, content: Buffer, options?: { doneFile?: string; signal?: AbortSignal }): Promise<void>;
  /** Throws when the outbox cannot be written. */
  probe(): Promise<void>;
}

export interface InboxEntry {
  name: string;
  size: number;
  mtimeMs: number;
}

export interface InboxTransport {
  /** Regular files at the top of the inbox (not processed/ or failed/), at most `limit`. */
  list(limit: number): Promise<InboxEntry[]>;
  /**
   * Hands `consume` the file's bytes as a stream of chunks, never more than `maxBytes + 1` of them
   * (one past the cap, so the caller can tell a file that is over it).
   */
  read<T>(name: string, maxBytes: number, consume: (chunks: AsyncIterable<Buffer>) => Promise<T>): Promise<T>;
  exists(name: string): Promise<boolean>;
  remove(name: string): Promise<void>;
  /** Moves the file to `processed/` (a new suffix when a file of that name is already there). */
  moveToProcessed(name: string): Promise<void>;
  /** Moves the file to `failed/` and writes `<name>.reason.txt` beside it. */
  moveToFailed(name: string, reason: string): Promise<void>;
  /** Throws when the inbox cannot be read. */
  probe(): Promise<void>;
}
