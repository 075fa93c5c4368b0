/**
 * `npm run audit:export -- [--of transactions|events] [--format csv|jsonl] [--out <file>] [filters]`
 * The filters of GET /v1/audit/transactions (--agency --service --centre --channel --officer
 * --state --from --to --citizen) or GET /v1/audit/events (--entity-type --entity-id --type --actor
 * --from --to), streamed at constant memory to the file (or standard output), with a progress line
 * on standard error. Reads DATABASE_URL (or the embedded database) with the whole log in scope.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { AuditLog } from '../../../core/audit/audit-log';
import { PgAuditQueries } from '../../../core/audit/pg/audit-queries.pg';
import { ReadAudit } from '../../../core/audit/use-cases/read-audit';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { EVENT_LINES, exportStream, TRANSACTION_LINES, type ExportFormat } from '../audit/audit-export';
import { loadConfig } from '../config/env.schema';
import type { CommandIo } from './audit-verify';
import { withCommandDatabase } from './database';

/** The command reads as an auditor of the whole log would. */
const OPERATOR = { subject: 'system:audit-export', roles: ['auditor'] };

const OPTIONS = {
  of: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  agency: { type: 'string' },
  service: { type: 'string' },
  centre: { type: 'string' },
  channel: { type: 'string' },
  officer: { type: 'string' },
  state: { type: 'string' },
  citizen: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'entity-type': { type: 'string' },
  'entity-id': { type: 'string' },
  type: { type: 'string' },
  actor: { type: 'string' },
} as const;

export interface ExportIo extends CommandIo {
  err?: (text: string) => void;
  /** Where rows go without --out. */
  stdout?: NodeJS.WritableStream;
  progressEveryMs?: number;
}

export async function runAuditExport(args: readonly string[], io: ExportIo = {}): Promise<{ rows: number; seconds: number }> {
  const { values: v } = parseArgs({ args: [...args], options: OPTIONS, strict: true });
  const of = v.of ?? 'transactions';
  const format = (v.format ?? 'csv') as ExportFormat;
  if (of !== 'transactions' && of !== 'events') throw new Error(`--of must be transactions or events, got ${of}`);
  if (format !== 'csv' && format !== 'jsonl') throw new Error(`--format must be csv or jsonl, got ${format}`);
  const date = (name: string, text: string | undefined): Date | undefined => {
    if (text === undefined) return undefined;
    const value = new Date(text);
    if (Number.isNaN(value.getTime())) throw new Error(`--${name} must be an ISO 8601 date and time, got ${text}`);
    return value;
  };
  const [from, to] = [date('from', v.from), date('to', v.to)];
  const err = io.err ?? ((text: string) => process.stderr.write(text));
  const config = loadConfig(io.env ?? process.env);
  const started = Date.now();
  let rows = 0;
  const progress = () => {
    const seconds = (Date.now() - started) / 1000;
    return `exported ${rows.toLocaleString('en')} ${of} in ${seconds.toFixed(1)} s (${Math.round(rows / Math.max(seconds, 0.001)).toLocaleString('en')}/s)`;
  };
  await withCommandDatabase(config, 'audit-export', async (pool) => {
    const read = new ReadAudit(new PgAuditQueries(pool), await AuditLog.open(pool), pool, new PersonalDataVault(config.dataKey));
    const counted = () => {
      rows += 1;
    };
    const stream =
      of === 'transactions'
        ? exportStream(
            read.exportTransactions(OPERATOR, { agency: v.agency, service: v.service, centre: v.centre, channel: v.channel, officer: v.officer, state: v.state, citizen: v.citizen, from, to }),
            TRANSACTION_LINES,
            format,
            counted,
          )
        : exportStream(
            read.exportEvents(OPERATOR, { entityType: v['entity-type'], entityId: v['entity-id'], type: v.type, actor: v.actor, from, to }),
            EVENT_LINES,
            format,
            counted,
          );
    const timer = setInterval(() => err(`\r${progress()}`), io.progressEveryMs ?? 1000);
    try {
      const out = v.out ? createWriteStream(v.out) : (io.stdout ?? process.stdout);
      // Standard output is not ours to close.
      await pipeline(stream, out, { end: Boolean(v.out) });
    } finally {
      clearInterval(timer);
    }
  });
  err(`\r${progress()}${v.out ? ` to ${v.out}` : ''}\n`);
  return { rows, seconds: (Date.now() - started) / 1000 };
}

if (require.main === module) {
  runAuditExport(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
