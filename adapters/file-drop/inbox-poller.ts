/**
 * Reads an agency's answers from its inbox, in the worker. Each poll:
 *   1. lists the inbox; a file is ready when its done-file exists (`doneFileSuffix`), or else
 *      when this process has seen its size and time unchanged for `settleMs` (our clock, from the
 *      poll that first saw it so), so a file the agency is still writing is never read early. Its
 *      modification time is only compared with itself, never with our clock: the file server (an
 *      agency's SFTP server) keeps its own time, and a stamp from a clock behind ours would make a
 *      file still being written look settled, one from a clock ahead make a finished one wait;
 *   2. reads and decodes it as it streams in, never past `maxAnswerBytes`: larger than that (by its
 *      listed size or while reading), or unreadable → `failed/` with a `.reason.txt` beside it;
 *   3. hands the answer to `onAnswer` (the core records it); then the file goes to `processed/`
 *      (or `failed/` when no such transaction exists). If `onAnswer` throws (database down), the
 *      file stays where it is and is tried again at the next poll.
 * The files are the state: a restart re-reads whatever is still in the inbox, and recording an
 * answer twice changes nothing, so a crash between recording and moving loses nothing. The only
 * memory is the previous poll's sizes; losing it costs one poll of waiting.
 */
import { codecFor } from './codecs';
import type { FileDropConfig } from './file-drop-config';
import { AnswerTooLargeError, boundedChunks } from './bounded-read';
import { UnreadableFileError, type AgencyAnswer, type FileCodec } from './file-drop-document';
import { openFileDropTransports, type FileDropTransports } from './file-drop-transports';
import type { InboxEntry, InboxTransport } from './transport';

export type AnswerHandling = 'recorded' | 'duplicate' | 'unknown';

export interface InboxLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface InboxPollerOptions {
  agencyCode: string;
  config: Pick<FileDropConfig, 'format' | 'inbox' | 'doneFileSuffix' | 'pollIntervalMs' | 'settleMs' | 'maxAnswerBytes'> &
    Partial<Pick<FileDropConfig, 'outbox' | 'transport' | 'sftp'>>;
  onAnswer(answer: AgencyAnswer, fileName: string): Promise<AnswerHandling>;
  logger?: InboxLogger;
  /** Default: built from the config: the local folder `config.inbox`, or the inbox on the agency's SFTP server. */
  transport?: InboxTransport;
  /** Files looked at per poll (bounded work per tick). Default 500. */
  batch?: number;
  now?: () => number;
}

export interface PollReport {
  recorded: number;
  duplicates: number;
  failed: number;
  /** Files seen but not ready yet (still being written), or left for the next poll after an error. */
  waiting: number;
}

const SILENT: InboxLogger = { log: () => undefined, warn: () => undefined };

export class InboxPoller {
  private readonly transport: InboxTransport;
  /** Set when the poller built its own transport (and so must give its connection back). */
  private readonly owned?: FileDropTransports;
  private readonly codec: FileCodec;
  private readonly logger: InboxLogger;
  private readonly now: () => number;
  /** Each file as the last poll saw it, and since when (our clock) it has looked that way. */
  private previous = new Map<string, InboxEntry & { stillSince: number }>();
  /** The last warning per file left waiting, so that a file that cannot be read yet is not reported at every poll. */
  private readonly warned = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private closed = false;

  constructor(private readonly options: InboxPollerOptions) {
    if (options.transport) {
      this.transport = options.transport;
    } else {
      this.owned = openFileDropTransports(options.agencyCode, { ...options.config, outbox: options.config.outbox ?? options.config.inbox });
      this.transport = this.owned.inbox;
    }
    this.codec = codecFor(options.config.format);
    this.logger = options.logger ?? SILENT;
    this.now = options.now ?? Date.now;
  }

  /** Polls now and then every `pollIntervalMs` (never two polls at once) until close(). */
  start(): void {
    if (this.closed || this.timer || this.running) return;
    const tick = (): void => {
      this.timer = undefined;
      this.running = this.pollOnce()
        .catch((error: Error) => this.logger.warn(`inbox of ${this.options.agencyCode}: poll failed, will try again: ${error.message}`))
        .finally(() => {
          this.running = undefined;
          if (!this.closed) this.timer = setTimeout(tick, this.options.config.pollIntervalMs);
        });
    };
    tick();
  }

  async pollOnce(): Promise<PollReport> {
    const report: PollReport = { recorded: 0, duplicates: 0, failed: 0, waiting: 0 };
    const suffix = this.options.config.doneFileSuffix;
    const entries = await this.transport.list(this.options.batch ?? 500);
    const names = new Set(entries.map((e) => e.name));
    const seen = new Map<string, InboxEntry & { stillSince: number }>();
    const now = this.now();
    for (const entry of entries) {
      if (this.closed) break;
      if (suffix && entry.name.endsWith(suffix)) {
        // A done-file whose answer is gone (moved by another worker, or by hand) is litter.
        if (!names.has(entry.name.slice(0, -suffix.length))) await this.transport.remove(entry.name);
        continue;
      }
      const before = this.previous.get(entry.name);
      const unchanged = before !== undefined && before.size === entry.size && before.mtimeMs === entry.mtimeMs;
      const stillSince = unchanged ? before.stillSince : now;
      seen.set(entry.name, { ...entry, stillSince });
      if (!this.isReady(entry, names, unchanged, now - stillSince)) {
        report.waiting += 1;
        continue;
      }
      const handled = await this.handle(entry);
      if (handled === 'waiting') report.waiting += 1;
      else if (handled === 'recorded') report.recorded += 1;
      else if (handled === 'duplicate') report.duplicates += 1;
      else report.failed += 1;
      if (handled !== 'waiting' && suffix) await this.transport.remove(`${entry.name}${suffix}`);
    }
    this.previous = seen;
    for (const name of this.warned.keys()) if (!seen.has(name)) this.warned.delete(name);
    return report;
  }

  /** Stops polling and waits for a poll in progress. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.owned?.release();
  }

  private isReady(entry: InboxEntry, names: ReadonlySet<string>, unchanged: boolean, ageMs: number): boolean {
    const suffix = this.options.config.doneFileSuffix;
    if (suffix) return names.has(`${entry.name}${suffix}`);
    return unchanged && ageMs >= this.options.config.settleMs;
  }

  private async handle({ name, size }: InboxEntry): Promise<AnswerHandling | 'failed' | 'waiting'> {
    const agency = this.options.agencyCode;
    const maxBytes = this.options.config.maxAnswerBytes;
    let answer: AgencyAnswer;
    try {
      if (size > maxBytes) throw new AnswerTooLargeError(maxBytes, size);
      answer = await this.transport.read(name, maxBytes, (chunks) => this.codec.readAnswer(boundedChunks(chunks, maxBytes)));
    } catch (error) {
      if (!(error instanceof UnreadableFileError)) {
        this.warnOnce(name, `inbox of ${agency}: cannot read ${name} yet: ${(error as Error).message}`);
        return 'waiting';
      }
      const why = error instanceof AnswerTooLargeError ? error.reason : `unreadable ${this.codec.format} answer: ${error.reason}`;
      await this.fail(name, why);
      return 'failed';
    }
    let handling: AnswerHandling;
    try {
      handling = await this.options.onAnswer(answer, name);
    } catch (error) {
      this.warnOnce(name, `inbox of ${agency}: answer ${name} not recorded, will try again: ${(error as Error).message}`);
      return 'waiting';
    }
    this.warned.delete(name);
    if (handling === 'unknown') {
      await this.fail(name, `no transaction ${answer.transactionId} of agency ${agency}`);
      return 'unknown';
    }
    await this.transport.moveToProcessed(name);
    if (handling === 'duplicate') this.logger.log(`inbox of ${agency}: ${name} repeats an answer already recorded; nothing changed`);
    return handling;
  }

  private warnOnce(name: string, message: string): void {
    if (this.warned.get(name) === message) return;
    this.warned.set(name, message);
    this.logger.warn(message);
  }

  private async fail(name: string, reason: string): Promise<void> {
    this.warned.delete(name);
    this.logger.warn(`inbox of ${this.options.agencyCode}: ${name} moved to failed/: ${reason}`);
    await this.transport.moveToFailed(name, reason);
  }
}
