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

/** An event as the API shows it (chain and position, the hashes in hex): read so by the export's query. */
export function eventRecord(event: ExportedEvent): ExportedEvent {
  return event;
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

/** Pages of rows → bytes of the format; `onRow` counts the rows as they go (the command's progress line). */
export function exportStream<T, R extends object>(
  pages: AsyncIterable<Iterable<T>>,
  toRecord: (row: T) => R,
  columns: ReadonlyArray<keyof R & string>,
  format: ExportFormat,
  onRow?: () => void,
): Readable {
  const line = format === 'jsonl' ? (record: R) => `${jsonLine(record)}\n` : (record: R) => csvLine(columns, (column) => record[column]);
  // A failure of the database mid-export ends the output with that error, not with a silent short file.
  return Readable.from(
    (async function* () {
      let chunk = format === 'csv' ? csvLine(columns, (column) => column) : '';
      for await (const rows of pages) {
        for (const row of rows) {
          onRow?.();
          chunk += line(toRecord(row));
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
function csvLine<C>(columns: readonly C[], field: (column: C) => unknown): string {
  let out = '';
  for (let i = 0; i < columns.length; i++) {
    if (i > 0) out += ',';
    const value = field(columns[i]);
    if (value === null || value === undefined) continue;
    const text = value instanceof JsonText ? value.json : typeof value === 'object' ? JSON.stringify(value) : String(value);
    out += /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  }
  return `${out}\n`;
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
