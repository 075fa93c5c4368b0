/**
 * XML files. A request is `<request><transactionId>…</transactionId>…<payload>…</payload></request>`;
 * an answer `<answer><transactionId/><status>accepted|rejected</status><reference/>` (or
 * `<code/><reason/>`) and an optional `<result>` whose child elements are result fields.
 */
import { UnreadableFileError, isPlainObject, toAnswer, type FileCodec, type RequestDocument } from '../file-drop-document';
import { readXml, writeElement, type XmlValue } from './mini-xml';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export const xmlCodec: FileCodec = {
  format: 'xml',
  extension: 'xml',

  encodeRequest(doc) {
    return Buffer.from(DECLARATION + writeElement('request', doc), 'utf8');
  },

  decodeRequest(content) {
    const fields = rootObject(content, 'request');
    const payload = fields.payload;
    return {
      transactionId: String(fields.transactionId ?? ''),
      service: String(fields.service ?? ''),
      ...(typeof fields.documentType === 'string' ? { documentType: fields.documentType } : {}),
      attempt: Number(fields.attempt),
      ...(typeof fields.correlationId === 'string' ? { correlationId: fields.correlationId } : {}),
      writtenAt: String(fields.writtenAt ?? ''),
      payload: isPlainObject(payload) ? payload : {},
    } satisfies RequestDocument;
  },

  encodeAnswer(answer) {
    if (answer.status === 'rejected') return Buffer.from(DECLARATION + writeElement('answer', answer), 'utf8');
    const { reference: _reference, ...result } = answer.result;
    const body = { transactionId: answer.transactionId, status: 'accepted', reference: answer.reference, ...(Object.keys(result).length > 0 ? { result } : {}) };
    return Buffer.from(DECLARATION + writeElement('answer', body), 'utf8');
  },

  decodeAnswer(content) {
    const fields = rootObject(content, 'answer');
    const result = fields.result ?? {};
    if (!isPlainObject(result)) throw new UnreadableFileError('<result> must hold elements');
    return toAnswer(fields, result);
  },
};

function rootObject(content: Buffer, expected: string): Record<string, XmlValue> {
  const { root, value } = readXml(content.toString('utf8'));
  if (root !== expected) throw new UnreadableFileError(`the root element is <${root}>, expected <${expected}>`);
  if (!isPlainObject(value)) throw new UnreadableFileError(`<${expected}> holds no elements`);
  return value as Record<string, XmlValue>;
}
