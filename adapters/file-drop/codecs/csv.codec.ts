/**
 * CSV files (RFC 4180, UTF-8, a header row and one data row). A request's payload is flattened:
 * nested objects become `parent.child` columns, arrays a JSON text in one cell. An answer has the
 * columns transactionId, status, reference, code, reason; any other column is a result field.
 */
import {
  ANSWER_ENVELOPE_FIELDS,
  UnreadableFileError,
  isForbiddenKey,
  isPlainObject,
  toAnswer,
  type FileCodec,
  type RequestDocument,
} from '../file-drop-document';

const REQUEST_FIELDS = ['transactionId', 'service', 'documentType', 'attempt', 'correlationId', 'writtenAt'] as const;
const PAYLOAD_PREFIX = 'payload.';

export const csvCodec: FileCodec = {
  format: 'csv',
  extension: 'csv',

  encodeRequest(doc) {
    const row: Record<string, string> = {};
    for (const field of REQUEST_FIELDS) if (doc[field] !== undefined) row[field] = String(doc[field]);
    flatten(doc.payload, PAYLOAD_PREFIX, row);
    return writeCsv(row);
  },

  decodeRequest(content) {
    const row = readCsv(content);
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
      writtenAt: row.writtenAt ?? '',
      payload,
    } satisfies RequestDocument;
  },

  encodeAnswer(answer) {
    if (answer.status === 'rejected') {
      return writeCsv({ transactionId: answer.transactionId, status: 'rejected', code: answer.code, reason: answer.reason });
    }
    const row: Record<string, string> = { transactionId: answer.transactionId, status: 'accepted', reference: answer.reference };
    for (const [key, value] of Object.entries(answer.result)) if (key !== 'reference') row[key] = String(value);
    return writeCsv(row);
  },

  decodeAnswer(content) {
    const row = readCsv(content);
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

function cell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function writeCsv(row: Record<string, string>): Buffer {
  const columns = Object.keys(row);
  return Buffer.from(`${columns.map(cell).join(',')}\r\n${columns.map((c) => cell(row[c])).join(',')}\r\n`, 'utf8');
}

/** The header and exactly one data row, as column → value. */
export function readCsv(content: Buffer): Record<string, string> {
  const rows = parseRows(content.toString('utf8').replace(/^\uFEFF/, ''));
  while (rows.length > 0 && rows[rows.length - 1].every((c) => c === '')) rows.pop();
  if (rows.length !== 2) throw new UnreadableFileError(`expected a header row and one data row, found ${rows.length} row(s)`);
  const [header, data] = rows;
  if (header.length !== data.length) throw new UnreadableFileError(`the header has ${header.length} columns, the data row ${data.length}`);
  const row: Record<string, string> = {};
  header.forEach((column, i) => {
    const name = column.trim();
    if (name === '' || isForbiddenKey(name)) throw new UnreadableFileError(`column ${i + 1} has no usable name`);
    if (Object.prototype.hasOwnProperty.call(row, name)) throw new UnreadableFileError(`column ${name} appears twice`);
    row[name] = data[i];
  });
  return row;
}

function parseRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let value = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        value += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else value += ch;
    } else if (ch === '"') {
      if (value !== '') throw new UnreadableFileError(`a quote inside an unquoted value (row ${rows.length + 1})`);
      quoted = true;
    } else if (ch === ',') {
      row.push(value);
      value = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      row.push(value);
      rows.push(row);
      row = [];
      value = '';
    } else value += ch;
  }
  if (quoted) throw new UnreadableFileError('a quoted value is not closed');
  if (value !== '' || row.length > 0) {
    row.push(value);
    rows.push(row);
  }
  return rows;
}
