/**
 * The generic file-drop adapter: configured, not coded. `submit` publishes the request as
 * `<transactionId>.<ext>` in the outbox and answers `pending`; the answer arrives later as a
 * file in the inbox, read by the worker's InboxPoller (./inbox-poller.ts). Because the file
 * is named by transaction id, a retry replaces a request the agency has not yet taken, and an
 * agency that dedups by id files one application per transaction.
 */
import type { AgencyHealth, AgencyRequest } from '../../contracts/src/dispatch';
import {
  AgencyCallError, NOT_SENT,
  type AdapterFactory,
  type AdapterFactoryOptions,
  type AgencyAdapter,
  type ApplicationStatus,
  type CallContext,
  type ProbeContext,
  type SubmitResult,
} from '../agency-adapter.port';
import type { AgencyDefinition } from '../../contracts/src/catalogue.types';
import { codecFor } from './codecs';
import { parseFileDropConfig, type FileDropConfig } from './file-drop-config';
import type { FileCodec } from './file-drop-document';
import { openFileDropTransports, type FileDropTransports } from './file-drop-transports';
import type { InboxTransport, OutboxTransport } from './transport';

export class FileDropAdapter implements AgencyAdapter {
  readonly kind = 'file-drop';
  readonly config: FileDropConfig;
  private readonly codec: FileCodec;
  private readonly outbox: OutboxTransport;
  private readonly inbox: InboxTransport;
  private readonly transports: FileDropTransports;

  constructor(
    private readonly agency: AgencyDefinition,
    opts: AdapterFactoryOptions,
  ) {
    this.config = parseFileDropConfig(agency, opts);
    this.codec = codecFor(this.config.format);
    this.transports = openFileDropTransports(agency.code, this.config);
    this.outbox = this.transports.outbox;
    this.inbox = this.transports.inbox;
  }

  async submit(req: AgencyRequest, ctx: CallContext): Promise<SubmitResult> {
    const documentType = ctx.service.operation.documentType;
    const content = await this.codec.encodeRequest({
      transactionId: req.transactionId,
      service: req.serviceCode,
      ...(typeof documentType === 'string' ? { documentType } : {}),
      attempt: req.attempt,
      ...(req.correlationId ? { correlationId: req.correlationId } : {}),
      ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
      writtenAt: new Date().toISOString(),
      payload: req.payload,
    });
    const name = requestFileName(req.transactionId, this.codec);
    try {
      await this.outbox.put(name, content, {
        signal: ctx.signal,
        ...(this.config.doneFileSuffix ? { doneFile: `${name}${this.config.doneFileSuffix}` } : {}),
      });
    } catch (error) {
      if (ctx.signal.aborted) throw new AgencyCallError('timeout', `writing the request file took longer than ${ctx.timeoutMs} ms`);
      // The SFTP transport already says what went wrong (a refused host key or login is misconfigured).
      if (error instanceof AgencyCallError) throw error;
      throw new AgencyCallError('unavailable', `the outbox of agency ${this.agency.code} cannot be written (${errorCode(error)})`);
    }
    return { kind: 'pending', handedOverAt: new Date().toISOString(), answerTimeoutMs: this.config.answerTimeoutMs };
  }

  async status(_agencyRef: string, _ctx: ProbeContext): Promise<ApplicationStatus> {
    throw new AgencyCallError('misconfigured', `agency ${this.agency.code} exchanges files and has no status look-up`, NOT_SENT);
  }

  async health(_ctx: ProbeContext): Promise<AgencyHealth> {
    const started = performance.now();
    try {
      await this.outbox.probe();
      await this.inbox.probe();
      return { up: true, latencyMs: Math.round(performance.now() - started), detail: 'outbox writable, inbox readable' };
    } catch (error) {
      const why = error instanceof AgencyCallError ? `${error.code}: ${error.reason}` : errorCode(error);
      return { up: false, latencyMs: Math.round(performance.now() - started), detail: `folders not usable (${why})` };
    }
  }

  async close(): Promise<void> {
    // Local folders hold nothing open; an SFTP connection is handed back (closed when unused).
    await this.transports.release();
  }
}

/** `<transactionId>.<ext>`: one request file per transaction, whatever the attempt. */
export function requestFileName(transactionId: string, codec: FileCodec): string {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(transactionId)) throw new AgencyCallError('misconfigured', 'a transaction id unusable as a file name', NOT_SENT);
  return `${transactionId}.${codec.extension}`;
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'error';
}

export const createFileDropAdapter: AdapterFactory = (agency, opts) => new FileDropAdapter(agency, opts);
