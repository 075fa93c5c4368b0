/**
 * CSV files (RFC 4180, UTF-8, a header row and one data row), read and written by csv-parse and
 * csv-stringify. A request's payload is flattened: nested objects become `parent.child` columns,
 * arrays a JSON text in one cell. An answer has the columns transactionId, status, reference,
 * code, reason; any other column is a result field. Answers are parsed as they stream in, and a
 * second data row ends the reading there.
 */
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { chunksOf } from '../bounded-read';
import {
  ANSWER_ENVELOPE_FIELDS,
  UnreadableFileError,
  isForbiddenKey,
  isPlainObject,
  toAnswer,
  type FileCodec,
  type RequestDocument,
} from '../file-drop-document';

const REQUEST_FIELDS = ['transactionId', 'service', 'documentType', 'attempt', 'correlationId', 'traceparent', 'writtenAt'] as const;
const PAYLOAD_PREFIX = 'payload.';
const MAX_RECORD_CHARACTERS = 256 * 1024;

export const csvCodec: FileCodec = {
  format: 'csv',
  extension: 'csv',

  async encodeRequest(doc) {
    const row: Record<string, string> = {};
    for (const field of REQUEST_FIELDS) if (doc[field] !== undefined) row[field] = String(doc[field]);
    flatten(doc.payload, PAYLOAD_PREFIX, row);
    return writeCsv(row);
  },

  async decodeRequest(content) {
    const row = await readCsv(chunksOf(content));
    const payload: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(row)) {
      if (column.startsWith(PAYLOAD_PREFIX)) setPath(payload, column.slice(PAYLOAD_PREFIX.length).split('.'), value);
    }
    return {
      transactionId: row.transactionId ?? '',
      service: row.service ?? '',
      ...(row.documentType ? { documentType: row.documentType } : {}),
      attempt: Number(row.attempt),
      ...(row.correlationId ? { correlationId: row.correlationId } : {}),
      ...(row.traceparent ? { traceparent: row.traceparent } : {}),
      writtenAt: row.writtenAt ?? '',
      payload,
    } satisfies RequestDocument;
  },

  async encodeAnswer(answer) {
    if (answer.status === 'rejected') {
      return writeCsv({ transactionId: answer.transactionId, status: 'rejected', code: answer.code, reason: answer.reason });
    }
    const row: Record<string, string> = { transactionId: answer.transactionId, status: 'accepted', reference: answer.reference };
    for (const [key, value] of Object.entries(answer.result)) if (key !== 'reference') row[key] = String(value);
    return writeCsv(row);
  },

  async readAnswer(chunks) {
    const row = await readCsv(chunks);
    const result: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(row)) {
      if (!(ANSWER_ENVELOPE_FIELDS as readonly string[]).includes(column) && value !== '') result[column] = value;
    }
    return toAnswer(row, result);
  },
};

function flatten(value: Record<string, unknown>, prefix: string, into: Record<string, string>): void {
  for (const [key, item] of Object.entries(value)) {
    if (isPlainObject(item)) flatten(item, `${prefix}${key}.`, into);
    else if (Array.isArray(item)) into[`${prefix}${key}`] = JSON.stringify(item);
    else if (item !== undefined && item !== null) into[`${prefix}${key}`] = String(item);
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: string): void {
  let node = target;
  for (const [index, key] of path.entries()) {
    if (isForbiddenKey(key)) return;
    if (index === path.length - 1) node[key] = value;
    else node = (node[key] = isPlainObject(node[key]) ? node[key] : {}) as Record<string, unknown>;
  }
}

function writeCsv(row: Record<string, string>): Promise<Buffer> {
  const columns = Object.keys(row);
  return new Promise((resolve, reject) => {
    stringify([columns, columns.map((c) => row[c])], { record_delimiter: 'windows' }, (error, output) => {
      if (error) reject(error);
      else resolve(Buffer.from(output, 'utf8'));
    });
  });
}

/** The header and exactly one data row, as column → value. */
async function readCsv(chunks: AsyncIterable<Buffer>): Promise<Record<string, string>> {
  const input = Readable.from(chunks);
  // A record longer than this is not an answer: the parse ends there instead of buffering it.
  const parser = parse({ bom: true, max_record_size: MAX_RECORD_CHARACTERS });
  // An error of the source (over the size cap, a vanished file) ends the parse with that error.
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  const rows: string[][] = [];
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (record.every((c) => c === '')) continue;
      rows.push(record);
      if (rows.length > 2) throw new UnreadableFileError('expected a header row and one data row, found more');
    }
  } catch (error) {
    if (error instanceof CsvError) throw new UnreadableFileError(`not valid CSV: ${error.message.slice(0, 160)}`);
    throw error;
  } finally {
    input.destroy();
  }
  if (rows.length !== 2) throw new UnreadableFileError(`expected a header row and one data row, found ${rows.length} row(s)`);
  const [header, data] = rows;
  const row: Record<string, string> = {};
  header.forEach((column, i) => {
    const name = column.trim();
    if (name === '' || isForbiddenKey(name)) throw new UnreadableFileError(`column ${i + 1} has no usable name`);
    if (Object.prototype.hasOwnProperty.call(row, name)) throw new UnreadableFileError(`column ${name} appears twice`);
    row[name] = data[i];
  });
  return row;
}
