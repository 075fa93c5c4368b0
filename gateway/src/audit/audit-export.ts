import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { stringify } from 'csv-stringify';
import { publicEvent, type AuditEvent } from '../../../core/audit/audit-event';
import type { AuditTransaction } from '../../../core/audit/audit-queries';

/**
 * How the audit log leaves Kiungo in bulk (GET /v1/audit/export, npm run audit:export): rows from
 * the keyset pages of ReadAudit, turned into CSV (csv-stringify, RFC 4180 quoting, a header row)
 * or JSON Lines, as a stream whose backpressure reaches the database: memory stays flat whatever
 * the number of rows.
 */
export type ExportFormat = 'csv' | 'jsonl';

export const EXPORT_MEDIA_TYPES: Readonly<Record<ExportFormat, string>> = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson' };

/** A transaction as exported: the auditor's list item, field for field. */
export function transactionRecord(tx: AuditTransaction): Record<string, unknown> {
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

/** An event as the API shows it: chain and position, the hashes in hex. */
export function eventRecord(event: AuditEvent): Record<string, unknown> {
  return { ...publicEvent(event) };
}

export const TRANSACTION_COLUMNS = ['id', 'service', 'agency', 'centre', 'channel', 'officer', 'submittedBy', 'channelClient', 'state', 'agencyReference', 'createdAt', 'updatedAt'];
export const EVENT_COLUMNS = ['chain', 'position', 'entityType', 'entityId', 'type', 'actor', 'at', 'data', 'prevHash', 'hash'];

/** Records → bytes of the format; `onRow` counts them as they go (the command's progress line). */
export function exportStream<T>(rows: AsyncIterable<T>, toRecord: (row: T) => Record<string, unknown>, columns: string[], format: ExportFormat, onRow?: () => void): Readable {
  const records = Readable.from(
    (async function* () {
      for await (const row of rows) {
        onRow?.();
        yield toRecord(row);
      }
    })(),
  );
  const encoder =
    format === 'jsonl'
      ? new JsonLines()
      : stringify({ header: true, columns, cast: { object: (value) => JSON.stringify(value), boolean: (value) => String(value) } });
  // A failure of the database mid-export ends the output with that error, not with a silent short file.
  pipeline(records, encoder, (error) => {
    if (error) encoder.destroy(error);
  });
  return encoder;
}

class JsonLines extends Transform {
  constructor() {
    super({ writableObjectMode: true });
  }

  override _transform(record: unknown, _encoding: BufferEncoding, done: TransformCallback): void {
    done(null, `${JSON.stringify(record)}\n`);
  }
}
