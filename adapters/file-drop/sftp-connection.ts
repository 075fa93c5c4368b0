/**
 * One SSH connection per agency, shared by its outbox (the adapter) and its inbox (the worker's
 * poller) within a process, opened on first use and reopened after it breaks.
 *
 * Calls run one at a time on the connection: ssh2-sftp-client tracks connection events with
 * flags shared by all calls on a client, so two calls at once can each miss the other's error
 * and hang. File-drop traffic is small files, so the queue costs little. Every call, and the
 * connect itself, has a time limit (`timeoutMs`); a call that hits it drops the connection,
 * since a late answer could otherwise land on the next call.
 *
 * Failures come out as AgencyCallError: a wrong host key or refused credentials are
 * `misconfigured` (only an operator can fix them), anything else about the link is
 * `unavailable`. Errors the server answers for a file (no such file, permission) pass through
 * unchanged for the transport to interpret.
 *
 * ssh2 is loaded on the first connect, not with this module: on load it instantiates a
 * WebAssembly module (poly1305) with a 16 MiB memory, which every api and worker process held
 * even with no SFTP agency in the catalogue (docs/performance-log.md, "api RSS under load").
 */
import { createHash } from 'node:crypto';
import type SftpClient from 'ssh2-sftp-client';
import { AgencyCallError, NOT_SENT } from '../agency-adapter.port';
import type { SftpSettings } from './sftp-config';

/** ssh2 (and its 16 MiB WebAssembly memory) is loaded at the first SFTP connect, once per process. */
const loadSftp = () => import('ssh2-sftp-client');
let sftpModule: ReturnType<typeof loadSftp> | undefined;

export type SftpCall<T> = (client: SftpClient) => Promise<T>;

const LINK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'ERR_NOT_CONNECTED']);

export class SftpConnection {
  private client?: SftpClient;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private users = 0;

  constructor(
    readonly label: string,
    private readonly settings: SftpSettings,
    /** Called once the last user has released it (the shared map forgets it). */
    private readonly onIdle: () => void = () => undefined,
  ) {}

  /** Counts a user of this shared connection; `release` ends it when the last one leaves. */
  retain(): this {
    this.users++;
    return this;
  }

  async release(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0) return;
    this.onIdle();
    await this.close();
  }

  /**
   * Runs `call` on the connection, after the calls before it. A connection that turns out to be
   * dead (server restarted, network cut) is reopened and the call tried once more on the new one:
   * every call the transports make is safe to repeat.
   */
  run<T>(what: string, call: SftpCall<T>): Promise<T> {
    const next = this.queue.then(() => this.attempt(what, call));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    await this.drop();
  }

  private async attempt<T>(what: string, call: SftpCall<T>): Promise<T> {
    const reused = this.client !== undefined;
    const client = await this.connect();
    try {
      return await this.timed(what, call(client));
    } catch (error) {
      if (!this.isLinkFailure(error, client)) throw error;
      await this.drop();
      if (!reused) throw this.asCallError(error, what);
    }
    const fresh = await this.connect();
    try {
      return await this.timed(what, call(fresh));
    } catch (error) {
      if (!this.isLinkFailure(error, fresh)) throw error;
      await this.drop();
      throw this.asCallError(error, what);
    }
  }

  private async connect(): Promise<SftpClient> {
    // Before the checks below, so that they and the client's creation run without a turn between.
    const { default: Sftp } = await (sftpModule ??= loadSftp());
    if (this.closed) throw new AgencyCallError('unavailable', `sftp connection to ${this.label} closed`);
    if (this.client) return this.client;
    const { host, port, username, timeoutMs } = this.settings;
    let presentedKey: string | undefined;
    let authRefused = false;
    // Our own listeners, so that a dropped connection is logged nowhere and never crashes the process.
    const client = new Sftp(`kiungo-${this.label}`, { error: () => undefined, end: () => undefined, close: () => undefined });
    client.on('error', (error: Error & { level?: string }) => {
      if (error.level === 'client-authentication') authRefused = true;
    });
    try {
      await this.timed(
        'connect',
        client.connect({
          host,
          port,
          username,
          ...this.settings.credentials(),
          // Our own limit (below) fires first and names the time limit; this one is a backstop.
          readyTimeout: timeoutMs + 1000,
          // No keyboard-interactive or agent fallbacks: only what the agency file names.
          tryKeyboard: false,
          hostVerifier: (key: Buffer) => {
            presentedKey = fingerprint(key);
            return presentedKey === this.settings.hostKeySha256;
          },
        }),
      );
    } catch (error) {
      destroy(client);
      if (presentedKey !== undefined && presentedKey !== this.settings.hostKeySha256) {
        throw new AgencyCallError('misconfigured', `sftp ${host}:${port} presented host key ${presentedKey}, not the pinned hostKeySha256`, NOT_SENT);
      }
      if (authRefused || /authentication methods failed/i.test((error as Error).message)) {
        throw new AgencyCallError('misconfigured', `sftp ${host}:${port} refused user ${username}: wrong key or password`, NOT_SENT);
      }
      throw this.asCallError(error, 'connect');
    }
    this.client = client;
    return client;
  }

  /** Forgets the current connection; the next call opens a new one. */
  private async drop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await Promise.race([client.end().catch(() => undefined), delay(1000)]);
    destroy(client);
  }

  private timed<T>(what: string, work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SftpTimeout(what, this.settings.timeoutMs)), this.settings.timeoutMs);
    });
    return Promise.race([work, limit]).finally(() => clearTimeout(timer));
  }

  private isLinkFailure(error: unknown, client: SftpClient): boolean {
    if (error instanceof SftpTimeout || error instanceof AgencyCallError) return true;
    // ssh2-sftp-client forgets the SFTP channel when the connection closes or ends.
    if ((client as unknown as { sftp?: unknown }).sftp === undefined) return true;
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && LINK_ERROR_CODES.has(code)) return true;
    return typeof message === 'string' && /unexpected (close|end)|no sftp connection|not connected/i.test(message);
  }

  private asCallError(error: unknown, what: string): AgencyCallError {
    if (error instanceof AgencyCallError) return error;
    const { host, port } = this.settings;
    if (error instanceof SftpTimeout) return new AgencyCallError('timeout', `sftp ${host}:${port}: ${what} took longer than ${error.limitMs} ms`);
    const code = (error as { code?: unknown }).code;
    return new AgencyCallError('unavailable', `sftp ${host}:${port}: ${what} failed (${typeof code === 'string' ? code : 'connection lost'})`);
  }
}

/** The OpenSSH fingerprint of a raw public key: `SHA256:` + unpadded base64. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

class SftpTimeout extends Error {
  constructor(
    what: string,
    readonly limitMs: number,
  ) {
    super(`${what} took longer than ${limitMs} ms`);
  }
}

/**
 * Closes the socket underneath. ssh2-sftp-client's end() does nothing before the SFTP channel is
 * open, which would leave a half-made connection (a timed-out handshake) holding its socket.
 */
function destroy(client: SftpClient): void {
  try {
    (client as unknown as { client: { destroy(): void } }).client.destroy();
  } catch {
    // Already closed.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * One connection per agency and server within this process: the adapter and the inbox poller of
 * an agency share it. Each `leaseSftpConnection` must be paired with a `release()`.
 */
const shared = new Map<string, SftpConnection>();

export function leaseSftpConnection(agencyCode: string, settings: SftpSettings): SftpConnection {
  const key = `${agencyCode}|${settings.username}@${settings.host}:${settings.port}|${settings.hostKeySha256}`;
  let connection = shared.get(key);
  if (!connection) {
    connection = new SftpConnection(agencyCode, settings, () => shared.delete(key));
    shared.set(key, connection);
  }
  return connection.retain();
}
