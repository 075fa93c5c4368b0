/** The audit log after the faults: every chain verifies, and every row's trail ends where the row is. */
import { Pool } from 'pg';
import { withClient } from '../../bench/lib/database';
import { AuditLog } from '../../core/audit/audit-log';
import type { Check } from './checks';

/**
 * Each transaction's last audit event names its state (a change and its event commit together,
 * so a fault can never leave one without the other), and each booking has its `booked` event.
 */
export async function auditTrailsMatchRows(databaseUrl: string): Promise<Check> {
  const { transactions, mismatched, bookingsWithoutEvent } = await withClient(databaseUrl, async (client) => {
    const mismatch = await client.query<{ id: string; state: string; last: string | null }>(
      `SELECT t.id, t.state, e.type AS last
         FROM transactions t
         LEFT JOIN LATERAL (SELECT a.type FROM audit_events a
                             WHERE a.entity_type = 'transaction' AND a.entity_id = t.id::text
                             ORDER BY a.occurred_at DESC, a.seq DESC LIMIT 1) e ON true
        WHERE e.type IS DISTINCT FROM t.state`,
    );
    const total = await client.query<{ n: string }>('SELECT count(*) AS n FROM transactions');
    const bookings = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM bookings b
        WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.entity_type = 'booking' AND a.entity_id = b.reference AND a.type = 'booked')`,
    );
    return { transactions: Number(total.rows[0].n), mismatched: mismatch.rows, bookingsWithoutEvent: Number(bookings.rows[0].n) };
  });
  return {
    label: "each transaction's audit trail ends in its state; each booking has its event",
    ok: mismatched.length === 0 && bookingsWithoutEvent === 0,
    detail:
      `${transactions} transactions` +
      (mismatched.length
        ? `; ${mismatched.length} differ, e.g. ${mismatched.slice(0, 3).map((m) => `${m.id} is ${m.state}, last event ${m.last ?? 'none'}`).join('; ')}`
        : ', all agree') +
      (bookingsWithoutEvent ? `; ${bookingsWithoutEvent} bookings without a booked event` : ''),
  };
}

export async function auditChainsVerify(databaseUrl: string): Promise<Check> {
  const pool = new Pool({ connectionString: databaseUrl, max: 2, application_name: 'kiungo-chaos' });
  pool.on('error', () => undefined); // an idle connection dropped by the server: the pool opens another
  try {
    const audit = await AuditLog.open(pool);
    const report = await audit.verify(pool);
    return {
      label: 'audit chains verify',
      ok: report.ok,
      detail: `${report.eventsChecked} events in ${report.shards} chains` + (report.ok ? '' : `; breaks ${JSON.stringify(report.breaks.slice(0, 3))}`),
    };
  } finally {
    await pool.end();
  }
}
