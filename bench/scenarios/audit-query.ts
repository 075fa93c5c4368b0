/**
 * `audit-query`: typical auditor queries on a big audit log, straight in SQL (no audit API yet).
 * A database `kiungo_bench_audit` (`kiungo_bench_audit_quick` with --quick, `…_<rows>` with
 * BENCH_AUDIT_ROWS) holds 1,000,000 seeded events (100,000 with --quick), seeded once and reused
 * (bench/lib/audit-seed.ts). Eight auditors at once, closed loop:
 * - entity history: AuditLog.history (its events by entity_type and entity_id, on whatever chains)
 *   for a random entity — the table row;
 * - browse by type and time range: events of one type in a random one-day window, 100 per page,
 *   keyset cursor (occurred_at, shard, seq): the first page and the next four.
 */
import { Pool } from 'pg';
import { AuditLog } from '../../core/audit/audit-log';
import { AUDIT_EVENT_TYPES, AUDIT_SPAN_DAYS, auditSeedSize, ensureAuditDatabase, seededEntityId, seededEntityType } from '../lib/audit-seed';
import { watchCpu } from '../lib/cpu';
import { runInProcessLoad } from '../lib/in-process-load';
import { describeLatencies, summarizeLatencies } from '../lib/latency';
import type { Scenario } from '../lib/scenario';

const AUDITORS = 8;
const PAGE = 100;
const PAGES_PER_BROWSE = 5;
const COLUMNS = 'shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash';

export const auditQuery: Scenario = {
  name: 'audit-query',
  summary: `auditor queries on 1M seeded audit events (100k --quick, BENCH_AUDIT_ROWS=10000000 for 10M), ${AUDITORS} at once: one entity's history; type + day window, ${PAGE}/page, keyset cursor`,
  async run(ctx) {
    const { rows, name } = auditSeedSize(ctx.settings.quick);
    const seed = await ensureAuditDatabase(ctx.settings.adminDatabaseUrl, name, rows, ctx.log);
    const pool = new Pool({ connectionString: seed.databaseUrl, max: AUDITORS, application_name: 'kiungo-bench-auditor' });
    const entities = Math.floor(rows / 4);
    const random = (n: number): number => Math.floor(Math.random() * n);
    try {
      const audit = await AuditLog.open(pool);
      const history = async (): Promise<boolean> => {
        const k = 1 + random(entities - 1);
        return (await audit.history(pool, seededEntityType(k), seededEntityId(k))).length === 4;
      };
      const pageLatencies: number[] = [];
      let emptyBrowses = 0;
      const browse = async (): Promise<boolean> => {
        const type = AUDIT_EVENT_TYPES[random(AUDIT_EVENT_TYPES.length)];
        const from = new Date(seed.startsAt.getTime() + random(AUDIT_SPAN_DAYS - 1) * 86_400_000);
        const to = new Date(from.getTime() + 86_400_000);
        let cursor: { occurred_at: Date; shard: number; seq: string } | undefined;
        for (let page = 0; page < PAGES_PER_BROWSE; page++) {
          const started = performance.now();
          const { rows: found } = cursor
            ? await pool.query<{ occurred_at: Date; shard: number; seq: string }>(
                `SELECT ${COLUMNS} FROM audit_events WHERE type = $1 AND occurred_at >= $2 AND occurred_at < $3
                   AND (occurred_at, shard, seq) > ($4, $5, $6) ORDER BY occurred_at, shard, seq LIMIT ${PAGE}`,
                [type, from, to, cursor.occurred_at, cursor.shard, cursor.seq],
              )
            : await pool.query<{ occurred_at: Date; shard: number; seq: string }>(
                `SELECT ${COLUMNS} FROM audit_events WHERE type = $1 AND occurred_at >= $2 AND occurred_at < $3
                  ORDER BY occurred_at, shard, seq LIMIT ${PAGE}`,
                [type, from, to],
              );
          pageLatencies.push(performance.now() - started);
          if (page === 0 && found.length === 0) {
            emptyBrowses++;
            return false;
          }
          if (found.length < PAGE) return true; // the window's last page
          cursor = found[found.length - 1];
        }
        return true;
      };
      const closedLoop = (durationSec: number, call: () => Promise<boolean>) => runInProcessLoad({ concurrency: AUDITORS, durationSec, call });
      const seconds = ctx.settings.shortDurationSec;
      await closedLoop(ctx.settings.warmupSec, history);
      ctx.log('audit-query: measuring entity history');
      const cpu = watchCpu({});
      const load = await closedLoop(seconds, history);
      const cpuReport = cpu.stop(load.requests);
      await closedLoop(ctx.settings.warmupSec, browse);
      pageLatencies.length = 0;
      ctx.log('audit-query: measuring type + time-range browsing');
      const browseRun = await closedLoop(seconds, browse);
      const pages = summarizeLatencies(pageLatencies);
      return {
        target: `${name}: ${rows.toLocaleString('en')} audit events — one entity's history (AuditLog.history statement)`,
        load,
        cpu: cpuReport,
        figures: [
          {
            label: 'seeding',
            value:
              seed.seededInSec !== undefined
                ? `${seed.seededInSec.toFixed(1)} s for ${rows.toLocaleString('en')} rows (this run)`
                : `reused (seeded ${seed.seededAt.toISOString()}; the time is in that run's output)`,
          },
          { label: 'entity history: queries/s, latency p50 / p99 ms', value: `${load.rps}, ${load.p50} / ${load.p99}` },
          { label: `type + one-day window, ${PAGE}/page, keyset cursor: pages/s, latency per page`, value: `${(pageLatencies.length / browseRun.durationSec).toFixed(1)}, ${describeLatencies(pages)}` },
        ],
        checks: [
          { label: 'every entity history had its 4 events', ok: load.non2xx === 0 && load.errors === 0, detail: JSON.stringify(load.statusCodes) },
          {
            label: 'every browse found pages',
            ok: browseRun.non2xx === 0 && browseRun.errors === 0 && emptyBrowses === 0,
            detail: `browses ${JSON.stringify(browseRun.statusCodes)}, ${emptyBrowses} empty`,
          },
        ],
        notes: [
          'Seeded rows carry hashes that are not a valid chain and shard = entity number mod 16 (not sha256); no query here verifies.',
          `Indexes are the migrations' own: (entity_type, entity_id, occurred_at), (occurred_at), primary key (shard, seq). There is no HTTP audit API yet; these are the statements it would run.`,
        ],
      };
    } finally {
      await pool.end();
    }
  },
};
