/**
 * JSON files: the request document as it is; an answer is one object
 * `{ transactionId, status: "accepted", reference, result?: {...} }` or
 * `{ transactionId, status: "rejected", code, reason }`.
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

  encodeRequest(doc) {
    return Buffer.from(`${JSON.stringify(doc, null, 2)}\n`, 'utf8');
  },

  decodeRequest(content) {
    const value = parseObject(content);
    return value as unknown as RequestDocument;
  },

  encodeAnswer(answer) {
    if (answer.status === 'rejected') return Buffer.from(`${JSON.stringify(answer)}\n`, 'utf8');
    const { reference: _reference, ...result } = answer.result;
    return Buffer.from(`${JSON.stringify({ transactionId: answer.transactionId, status: 'accepted', reference: answer.reference, result })}\n`, 'utf8');
  },

  decodeAnswer(content): AgencyAnswer {
    const value = parseObject(content);
    const result = value.result ?? {};
    if (!isPlainObject(result)) throw new UnreadableFileError('result must be an object');
    return toAnswer(value, result);
  },
};

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
