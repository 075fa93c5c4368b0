/**
 * What travels through an agency's folders, whatever the file format: a request we write into
 * the outbox, and an answer the agency writes into the inbox. Codecs (./codecs) turn these into
 * JSON, XML or CSV bytes and back; nothing outside this folder sees file shapes.
 */

import type { AgencyOutcome } from '../../contracts/src/dispatch';
import { rejection } from '../rejection';

export const FILE_FORMATS = ['json', 'xml', 'csv'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** One request file. `transactionId` is the agency's idempotency key: one application per id. */
export interface RequestDocument {
  transactionId: string;
  service: string;
  /** The agency's own name for the form, from the service's `operation.documentType`. */
  documentType?: string;
  attempt: number;
  correlationId?: string;
  /** The W3C trace context of the call, when tracing is on. */
  traceparent?: string;
  /** ISO-8601, UTC. */
  writtenAt: string;
  payload: Record<string, unknown>;
}

/** One answer file, as read from the inbox. */
export type AgencyAnswer =
  | { transactionId: string; status: 'accepted'; reference: string; result: Record<string, unknown> }
  | { transactionId: string; status: 'rejected'; code: string; reason: string };

/** What an answer file means for the transaction it names, in the core's terms (file shapes stop here). */
export function answerOutcome(answer: AgencyAnswer): Extract<AgencyOutcome, { kind: 'accepted' | 'rejected' }> {
  if (answer.status === 'accepted') return { kind: 'accepted', agencyRef: answer.reference, result: answer.result };
  return rejection(answer.code, answer.code, answer.reason);
}

/** A file that cannot be understood: it goes to `failed/` with `reason` beside it. */
export class UnreadableFileError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UnreadableFileError';
  }
}

export interface FileCodec {
  readonly format: FileFormat;
  /** File name extension without the dot. */
  readonly extension: string;
  encodeRequest(doc: RequestDocument): Promise<Buffer>;
  /** For agencies (the simulator): values of XML and CSV requests come back as strings. */
  decodeRequest(content: Buffer): Promise<RequestDocument>;
  /** For agencies (the simulator). */
  encodeAnswer(answer: AgencyAnswer): Promise<Buffer>;
  /**
   * Reads an answer as its bytes arrive (the caller bounds how many: ./bounded-read.ts), so that
   * a file that is not an answer is refused at its first bad byte, not after reading it whole.
   * @throws UnreadableFileError
   */
  readAnswer(chunks: AsyncIterable<Buffer>): Promise<AgencyAnswer>;
}

/** Answer fields that are not part of the result. */
export const ANSWER_ENVELOPE_FIELDS = ['transactionId', 'status', 'reference', 'code', 'reason'] as const;

const MAX_ANSWER_FIELD = 2000;

/**
 * Checks the fields every format shares and builds the answer. `fields` are the answer's
 * top-level values (strings for XML and CSV); `result` the rest, already separated.
 */
export function toAnswer(fields: Record<string, unknown>, result: Record<string, unknown>): AgencyAnswer {
  const transactionId = text(fields, 'transactionId');
  const status = text(fields, 'status');
  if (status === 'accepted') {
    const reference = text(fields, 'reference');
    return { transactionId, status, reference, result: { reference, ...result } };
  }
  if (status === 'rejected') {
    return { transactionId, status, code: text(fields, 'code'), reason: text(fields, 'reason') };
  }
  throw new UnreadableFileError(`status must be "accepted" or "rejected", got ${JSON.stringify(String(status).slice(0, 40))}`);
}

function text(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UnreadableFileError(`${name} is missing or empty`);
  if (value.length > MAX_ANSWER_FIELD) throw new UnreadableFileError(`${name} is longer than ${MAX_ANSWER_FIELD} characters`);
  return value.trim();
}

export { isRecord as isPlainObject } from '../../contracts/src/json-pointer';

/** Keys that would reach Object.prototype when copied into an object. */
export function isForbiddenKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}
