/**
 * A quarter of walk-in queue history for the `kpis` scenario: 52 centres (Huduma's count) × 92 days
 * (the longest range GET /v1/kpis takes), seeded once into `kiungo_bench_kpis` and reused
 * (`kiungo_bench_kpis_quick`, lighter, with --quick). The centres are created through the api
 * (PUT /v1/centres, 8 counters each); their queue events are generated in SQL (generate_series,
 * indexes rebuilt after), in the shapes the queue writes them:
 * per ticket `issued` (kind walk_in / appointment), `called` (first call, with arrivedAt), then
 * `completed` or, one in twenty, `no_show` (with calledAt), and a `feedback` rating for one in
 * five served; per counter and day a session opened at 08:00 and closed at 17:30. Tickets arrive
 * evenly 08:00–17:00 Nairobi time, wait 5–40 minutes and take 3–15 minutes to serve.
 * Only queue_events (what the KPIs are computed from) is seeded: no queue_tickets rows and no
 * audit twins, which no KPI query reads.
 */
import { Pool } from 'pg';
import { migrate } from '../../core/db/migrate';
import { createBenchCentre } from './centres';
import { databaseExists, recreateDatabase, withClient, withDatabaseName } from './database';

export const KPI_CENTRES = 52;
export const KPI_DAYS = 92;
export const KPI_COUNTERS = 8;
const SERVICE = 'id-card-replacement';

export interface KpiSeed {
  databaseUrl: string;
  centres: string[];
  /** First and last local day seeded (YYYY-MM-DD). */
  from: string;
  to: string;
  ticketsPerCentreDay: number;
  events: number;
  seededInSec?: number;
}

export function kpiCentreCodes(): string[] {
  return Array.from({ length: KPI_CENTRES }, (_, i) => `KPI-C${String(i + 1).padStart(2, '0')}`);
}

/** The seed already in `name`, if it holds one of `ticketsPerCentreDay`. */
export async function readKpiSeed(adminUrl: string, name: string, ticketsPerCentreDay: number): Promise<KpiSeed | undefined> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const databaseUrl = withDatabaseName(adminUrl, name);
  const exists = await databaseExists(adminUrl, name);
  if (!exists) return undefined;
  return withClient(databaseUrl, async (client) => {
    if ((await client.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'bench_seed'`)).rowCount !== 1) return undefined;
    const { rows } = await client.query<{ from_day: string; to_day: string; tickets: number; events: string }>(
      `SELECT from_day::text, to_day::text, tickets, events FROM bench_seed`,
    );
    const seed = rows[0];
    if (!seed || seed.tickets !== ticketsPerCentreDay) return undefined;
    return { databaseUrl, centres: kpiCentreCodes(), from: seed.from_day, to: seed.to_day, ticketsPerCentreDay, events: Number(seed.events) };
  });
}

/** A new, migrated, empty database for the seed (the api that creates the centres then runs on it). */
export async function createKpiDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  await recreateDatabase(adminUrl, name);
  const databaseUrl = withDatabaseName(adminUrl, name);
  const pool = new Pool({ connectionString: databaseUrl, max: 1, application_name: 'kiungo-bench-seed' });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  return databaseUrl;
}

/** Creates the centres through `apiUrl` and writes their queue history; marks the database seeded. */
export async function seedKpis(options: { databaseUrl: string; apiUrl: string; adminToken: string; ticketsPerCentreDay: number; log: (line: string) => void }): Promise<KpiSeed> {
  const started = performance.now();
  const centres = kpiCentreCodes();
  const counters = Array.from({ length: KPI_COUNTERS }, (_, i) => String(i + 1));
  for (const code of centres) {
    await createBenchCentre({ api: { url: options.apiUrl } }, options.adminToken, code, [{ service: SERVICE, ticketLetter: 'A', slotCapacity: 10 }], counters.map((c) => ({ code: c, services: [SERVICE] })));
  }
  const today = new Date();
  const to = isoDay(new Date(today.getTime() - 86_400_000));
  const from = isoDay(new Date(today.getTime() - KPI_DAYS * 86_400_000));
  const t = options.ticketsPerCentreDay;
  options.log(`kpis: seeding ${(KPI_CENTRES * KPI_DAYS * t).toLocaleString('en')} tickets' queue events (${KPI_CENTRES} centres × ${KPI_DAYS} days × ${t})`);
  const events = await withClient(options.databaseUrl, async (client) => {
    await client.query(`SET synchronous_commit = off`);
    await client.query(`SET maintenance_work_mem = '256MB'`);
    const { rows: indexes } = await client.query<{ name: string; definition: string }>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE tablename = 'queue_events' AND indexname <> 'queue_events_pkey'`,
    );
    for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
    // c: centre number, d: day, i: ticket of the day; arrival spread over 08:00–17:00 local time.
    const ticket = `
      SELECT c, code, day, i,
             (day + time '08:00') AT TIME ZONE 'Africa/Nairobi' + make_interval(secs => i * 32400.0 / $3) AS arrived,
             300 + ((c * 1000003 + i * 104729 + extract(doy FROM day)::int * 7919) % 2100) AS wait_s,
             180 + ((c * 7919 + i * 1000003 + extract(doy FROM day)::int * 104729) % 720) AS service_s,
             1 + i % ${KPI_COUNTERS} AS counter,
             md5('t-' || code || day || '-' || i)::uuid AS ticket_id
        FROM generate_series(1, ${KPI_CENTRES}) AS c
       CROSS JOIN LATERAL (SELECT 'KPI-C' || lpad(c::text, 2, '0') AS code) k
       CROSS JOIN generate_series($1::date, $2::date, interval '1 day') AS g(day_ts)
       CROSS JOIN LATERAL (SELECT day_ts::date AS day) dd
       CROSS JOIN generate_series(1, $3) AS i`;
    const session = `md5('s-' || code || day || '-' || counter)::uuid`;
    const officer = `'officer-' || code || '-' || counter`;
    const inserted = await client.query(
      `INSERT INTO queue_events (centre_code, local_day, type, ticket_id, session_id, counter_code, officer_id, service_code, occurred_at, actor, data)
       SELECT code, day, e.type, ticket_id, e.session_id, e.counter_code, e.officer_id, '${SERVICE}', e.at, e.actor, e.data
         FROM (${ticket}) t
        CROSS JOIN LATERAL (VALUES
          ('issued', NULL::uuid, NULL::text, NULL::text, arrived, 'bench-kiosk',
             jsonb_build_object('kind', CASE WHEN i % 10 = 0 THEN 'appointment' ELSE 'walk_in' END, 'priority', 'none', 'arrivedAt', arrived)),
          ('called', ${session}, counter::text, ${officer}, arrived + make_interval(secs => wait_s), ${officer},
             jsonb_build_object('first', true, 'arrivedAt', arrived)),
          (CASE WHEN i % 20 = 7 THEN 'no_show' ELSE 'completed' END, ${session}, counter::text, ${officer},
             arrived + make_interval(secs => wait_s + service_s), ${officer}, jsonb_build_object('calledAt', arrived + make_interval(secs => wait_s))),
          ('feedback', NULL, counter::text, NULL, arrived + make_interval(secs => wait_s + service_s + 60), 'citizen',
             jsonb_build_object('rating', 1 + (i * 7) % 5))
        ) AS e(type, session_id, counter_code, officer_id, at, actor, data)
        WHERE e.type <> 'feedback' OR (i % 5 = 0 AND i % 20 <> 7)`,
      [from, to, t],
    );
    const sessions = await client.query(
      `INSERT INTO queue_events (centre_code, local_day, type, session_id, counter_code, officer_id, occurred_at, actor, data)
       SELECT code, day, e.type, ${session}, counter::text, ${officer}, e.at, ${officer}, e.data
         FROM generate_series(1, ${KPI_CENTRES}) AS c
        CROSS JOIN LATERAL (SELECT 'KPI-C' || lpad(c::text, 2, '0') AS code) k
        CROSS JOIN generate_series($1::date, $2::date, interval '1 day') AS g(day_ts)
        CROSS JOIN LATERAL (SELECT day_ts::date AS day) dd
        CROSS JOIN generate_series(1, ${KPI_COUNTERS}) AS counter
        CROSS JOIN LATERAL (VALUES
          ('session_opened', (day + time '08:00') AT TIME ZONE 'Africa/Nairobi', '{}'::jsonb),
          ('session_closed', (day + time '17:30') AT TIME ZONE 'Africa/Nairobi', jsonb_build_object('openedAt', (day + time '08:00') AT TIME ZONE 'Africa/Nairobi'))
        ) AS e(type, at, data)`,
      [from, to],
    );
    for (const index of indexes) await client.query(index.definition);
    await client.query('ANALYZE queue_events');
    const total = (inserted.rowCount ?? 0) + (sessions.rowCount ?? 0);
    await client.query('CREATE TABLE bench_seed (from_day date NOT NULL, to_day date NOT NULL, tickets integer NOT NULL, events bigint NOT NULL, seeded_at timestamptz NOT NULL)');
    await client.query('INSERT INTO bench_seed VALUES ($1, $2, $3, $4, now())', [from, to, t, total]);
    return total;
  });
  const seededInSec = (performance.now() - started) / 1000;
  options.log(`kpis: seeded ${events.toLocaleString('en')} queue events in ${seededInSec.toFixed(0)} s`);
  return { databaseUrl: options.databaseUrl, centres, from, to, ticketsPerCentreDay: t, events, seededInSec };
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
