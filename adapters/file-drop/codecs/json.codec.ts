/**
 * JSON files: the request document as it is; an answer is one object
 * `{ transactionId, status: "accepted", reference, result?: {...} }` or
 * `{ transactionId, status: "rejected", code, reason }`. An answer is a few hundred bytes: it is
 * parsed whole once read (never past maxAnswerBytes), and refused at its first chunk when that
 * does not open a JSON object.
 */
import {
  UnreadableFileError,
  isForbiddenKey,
  isPlainObject,
  toAnswer,
  type AgencyAnswer,
  type FileCodec,
  type RequestDocument,
} from '../file-drop-document';

export const jsonCodec: FileCodec = {
  format: 'json',
  extension: 'json',

  async encodeRequest(doc) {
    return Buffer.from(`${JSON.stringify(doc, null, 2)}\n`, 'utf8');
  },

  async decodeRequest(content) {
    return parseObject(content) as unknown as RequestDocument;
  },

  async encodeAnswer(answer) {
    if (answer.status === 'rejected') return Buffer.from(`${JSON.stringify(answer)}\n`, 'utf8');
    const { reference: _reference, ...result } = answer.result;
    return Buffer.from(`${JSON.stringify({ transactionId: answer.transactionId, status: 'accepted', reference: answer.reference, result })}\n`, 'utf8');
  },

  async readAnswer(chunks): Promise<AgencyAnswer> {
    const parts: Buffer[] = [];
    for await (const chunk of chunks) {
      if (parts.length === 0 && !opensAnObject(chunk)) throw new UnreadableFileError('not a JSON object');
      parts.push(chunk);
    }
    const value = parseObject(Buffer.concat(parts));
    const result = value.result ?? {};
    if (!isPlainObject(result)) throw new UnreadableFileError('result must be an object');
    return toAnswer(value, result);
  },
};

/** The first chunk starts (after a byte order mark and white space) with `{`, or is only white space so far. */
function opensAnObject(chunk: Buffer): boolean {
  const text = chunk.subarray(0, 64).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return text === '' || text.startsWith('{');
}

function parseObject(content: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    // A reviver drops keys that could reach Object.prototype when the result is copied.
    value = JSON.parse(content.toString('utf8'), (key, v: unknown) => (isForbiddenKey(key) ? undefined : v));
  } catch {
    throw new UnreadableFileError('not valid JSON');
  }
  if (!isPlainObject(value)) throw new UnreadableFileError('not a JSON object');
  return value;
}
