import { Readable } from 'node:stream';
import type { PublicAuditEvent } from '../../../core/audit/audit-event';
import type { AuditTransaction, ExportedEvent } from '../../../core/audit/audit-queries';
import { JsonText } from '../../../core/audit/json-text';

/**
 * How the audit log leaves Kiungo in bulk (GET /v1/audit/export, npm run audit:export): rows from
 * the keyset pages of ReadAudit, turned into CSV (RFC 4180 quoting, a header row) or JSON Lines,
 * as a stream whose backpressure reaches the database: memory stays flat whatever the number of rows.
 * Lines are joined into chunks of about 64 KB: one stream write per chunk, not one per row.
 */
export type ExportFormat = 'csv' | 'jsonl';

export const EXPORT_MEDIA_TYPES: Readonly<Record<ExportFormat, string>> = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson' };

/** A transaction as exported: the auditor's list item, field for field. */
export function transactionRecord(tx: AuditTransaction) {
  return {
    id: tx.id,
    service: tx.service,
    agency: tx.agency,
    centre: tx.centre,
    channel: tx.channel,
    officer: tx.officer,
    submittedBy: tx.submittedBy,
    channelClient: tx.channelClient,
    state: tx.state,
    agencyReference: tx.agencyReference,
    createdAt: tx.createdAt.toISOString(),
    updatedAt: tx.updatedAt.toISOString(),
  };
}

export const TRANSACTION_COLUMNS: ReadonlyArray<keyof ReturnType<typeof transactionRecord>> = [
  'id',
  'service',
  'agency',
  'centre',
  'channel',
  'officer',
  'submittedBy',
  'channelClient',
  'state',
  'agencyReference',
  'createdAt',
  'updatedAt',
];
export const EVENT_COLUMNS: ReadonlyArray<keyof PublicAuditEvent> = ['chain', 'position', 'entityType', 'entityId', 'type', 'actor', 'at', 'data', 'prevHash', 'hash'];

/** How big a chunk of lines grows before it is written. */
const CHUNK = 64 * 1024;

/** How rows of one kind are written: the CSV header's columns, and a row as a CSV record or as a JSON line (each ending in a line break). */
export interface ExportLines<T> {
  columns: readonly string[];
  csv(row: T): string;
  jsonl(row: T): string;
}

/** Lines written through a record (field for field what the API lists) with the generic CSV and JSON writers below. */
export function recordLines<T, R extends object>(toRecord: (row: T) => R, columns: ReadonlyArray<keyof R & string>): ExportLines<T> {
  return {
    columns,
    csv: (row) => csvLine(columns, toRecord(row)),
    jsonl: (row) => `${jsonLine(toRecord(row))}\n`,
  };
}

export const TRANSACTION_LINES: ExportLines<AuditTransaction> = recordLines(transactionRecord, TRANSACTION_COLUMNS);

/**
 * Events, the export of millions of rows, written field by field without a record in between:
 * byte for byte what `recordLines` writes for them (a test holds the two together), at a few
 * microseconds less per row. The numbers, the ISO time and the hex hashes never hold a comma, a
 * quote or a line break, and need no JSON escape; every field is present (the columns are NOT NULL).
 */
export const EVENT_LINES: ExportLines<ExportedEvent> = {
  columns: EVENT_COLUMNS,
  csv: (e) =>
    `${e.chain},${e.position},${csvField(e.entityType)},${csvField(e.entityId)},${csvField(e.type)},${csvField(e.actor)},${e.at},${csvField(e.data.json)},${e.prevHash},${e.hash}\n`,
  jsonl: (e) =>
    `{"chain":${e.chain},"position":${e.position},"entityType":${JSON.stringify(e.entityType)},"entityId":${JSON.stringify(e.entityId)},"type":${JSON.stringify(e.type)},` +
    `"actor":${JSON.stringify(e.actor)},"at":"${e.at}","data":${e.data.json},"prevHash":"${e.prevHash}","hash":"${e.hash}"}\n`,
};

/** Pages of rows → bytes of the format; `onRow` counts the rows as they go (the command's progress line). */
export function exportStream<T>(pages: AsyncIterable<Iterable<T>>, lines: ExportLines<T>, format: ExportFormat, onRow?: () => void): Readable {
  const line = format === 'jsonl' ? lines.jsonl : lines.csv;
  // A failure of the database mid-export ends the output with that error, not with a silent short file.
  return Readable.from(
    (async function* () {
      let chunk = format === 'csv' ? csvLine(lines.columns, undefined) : '';
      for await (const rows of pages) {
        for (const row of rows) {
          onRow?.();
          chunk += line(row);
          if (chunk.length >= CHUNK) {
            yield chunk;
            chunk = '';
          }
        }
      }
      if (chunk) yield chunk;
    })(),
  );
}

/**
 * One CSV record as csv-stringify writes it by default (RFC 4180): a field holding a comma, a quote
 * or a line break is quoted, its quotes doubled; null and undefined are empty; objects are JSON text
 * (JsonText is that text already).
 */
function csvLine(columns: readonly string[], record: object | undefined): string {
  let out = '';
  for (let i = 0; i < columns.length; i++) {
    if (i > 0) out += ',';
    // No record: the header, the columns' names.
    const value: unknown = record === undefined ? columns[i] : record[columns[i] as keyof typeof record];
    if (value === null || value === undefined) continue;
    out += csvField(value instanceof JsonText ? value.json : typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return `${out}\n`;
}

/** A field's text as RFC 4180 writes it: quoted, its quotes doubled, when it holds a comma, a quote or a line break. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** JSON.stringify(record) for a record of one level, whose JsonText values are put in as the JSON they hold. */
function jsonLine(record: object): string {
  let out = '{';
  for (const key of Object.keys(record)) {
    const value: unknown = record[key as keyof typeof record];
    const json = value instanceof JsonText ? value.json : JSON.stringify(value);
    // JSON.stringify leaves out what has no JSON (undefined, functions, symbols).
    if (json === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${json}`;
  }
  return `${out}}`;
}
