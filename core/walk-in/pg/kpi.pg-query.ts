import type { Pool } from 'pg';
import type { KpiRow } from '../domain/kpi';
import { KpiQuery, type KpiGrouping, type KpiQueryRequest } from '../kpi.query';

/** GROUPING(centre_code, local_day, counter_code, officer_id, local_hour): 1 = rolled up, centre is the high bit. */
const GROUPINGS: Record<KpiGrouping, { set: string; bits: number }> = {
  all: { set: '()', bits: 0b11111 },
  centre: { set: '(centre_code)', bits: 0b01111 },
  'centre-day': { set: '(centre_code, local_day)', bits: 0b00111 },
  counter: { set: '(centre_code, local_day, counter_code)', bits: 0b00011 },
  'counter-hour': { set: '(centre_code, local_day, counter_code, local_hour)', bits: 0b00010 },
  officer: { set: '(centre_code, local_day, officer_id)', bits: 0b00101 },
};
const BY_BITS = new Map(Object.entries(GROUPINGS).map(([name, g]) => [g.bits, name as KpiGrouping]));
const KEY_COLUMNS = ['centre_code', 'local_day', 'counter_code', 'officer_id', 'local_hour'] as const;

/**
 * The grouping bits of a row. GROUPING() accepts only columns of the GROUP BY, so a column no
 * requested set uses contributes its bit as a constant (it is rolled up in every row).
 */
function groupingBits(groupings: KpiGrouping[]): string {
  return KEY_COLUMNS.map((column, i) => {
    const bit = 1 << (KEY_COLUMNS.length - 1 - i);
    return isGrouped(groupings, column) ? `GROUPING(${column}) * ${bit}` : String(bit);
  }).join(' + ');
}

function isGrouped(groupings: KpiGrouping[], column: (typeof KEY_COLUMNS)[number]): boolean {
  return groupings.some((g) => new RegExp(`\\b${column}\\b`).test(GROUPINGS[g].set));
}

/** The key columns of the select list; one that no set groups by is NULL (it may not be selected bare). */
function keyColumns(groupings: KpiGrouping[]): string {
  const types = { centre_code: 'text', local_day: 'text', counter_code: 'text', officer_id: 'text', local_hour: 'int' } as const;
  return KEY_COLUMNS.map((column) => {
    const value = column === 'local_day' ? 'local_day::text' : column;
    return `${isGrouped(groupings, column) ? value : `NULL::${types[column]}`} AS ${column}`;
  }).join(', ');
}

/**
 * Facts per event (one measure each), then every requested grouping in one pass. Each event
 * carries the instants its measure needs (arrivedAt on the first call, calledAt on the outcome,
 * openedAt on the close), so no figure depends on the tickets' current state.
 */
function kpiSql(groupings: KpiGrouping[]): string {
  return `
WITH ev AS (
  SELECT e.*, extract(hour FROM e.occurred_at AT TIME ZONE c.time_zone)::int AS local_hour
    FROM queue_events e JOIN centres c ON c.code = e.centre_code
   WHERE e.local_day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR e.centre_code = $3)
), facts AS (
  SELECT centre_code, local_day, counter_code, officer_id, local_hour, type, data->>'kind' AS kind,
         CASE WHEN type = 'called' AND (data->>'first')::boolean
              THEN extract(epoch FROM occurred_at - (data->>'arrivedAt')::timestamptz)::float8 END AS wait_s,
         CASE WHEN type = 'completed'
              THEN extract(epoch FROM occurred_at - (data->>'calledAt')::timestamptz)::float8 END AS service_s,
         CASE WHEN type IN ('completed', 'no_show', 'transferred') AND data ? 'calledAt' AND counter_code IS NOT NULL
              THEN extract(epoch FROM occurred_at - (data->>'calledAt')::timestamptz)::float8 END AS busy_s,
         CASE WHEN type = 'session_closed'
              THEN extract(epoch FROM occurred_at - (data->>'openedAt')::timestamptz)::float8
              WHEN type = 'session_opened'
               AND NOT EXISTS (SELECT 1 FROM queue_events x WHERE x.session_id = ev.session_id AND x.type = 'session_closed')
              THEN greatest(0, extract(epoch FROM $4::timestamptz - occurred_at))::float8 END AS session_s,
         CASE WHEN type = 'feedback' THEN (data->>'rating')::int END AS rating
    FROM ev
)
SELECT ${keyColumns(groupings)},
       ${groupingBits(groupings)} AS g,
       count(*) FILTER (WHERE type = 'issued')::int AS issued,
       count(*) FILTER (WHERE type = 'issued' AND kind = 'walk_in')::int AS walk_ins,
       count(*) FILTER (WHERE type = 'issued' AND kind = 'appointment')::int AS bookings,
       count(*) FILTER (WHERE type = 'completed')::int AS served,
       count(*) FILTER (WHERE type = 'no_show')::int AS no_shows,
       count(wait_s)::int AS waits, avg(wait_s) AS wait_mean, percentile_cont(0.9) WITHIN GROUP (ORDER BY wait_s) AS wait_p90,
       count(service_s)::int AS services, avg(service_s) AS service_mean, percentile_cont(0.9) WITHIN GROUP (ORDER BY service_s) AS service_p90,
       coalesce(sum(session_s), 0)::float8 AS session_s, coalesce(sum(busy_s), 0)::float8 AS busy_s,
       count(rating)::int AS ratings, avg(rating)::float8 AS rating_mean
  FROM facts
 GROUP BY GROUPING SETS (${groupings.map((g) => GROUPINGS[g].set).join(', ')})
 ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3 NULLS FIRST, 4 NULLS FIRST, 5 NULLS FIRST`;
}

interface Row {
  centre_code: string | null;
  local_day: string | null;
  counter_code: string | null;
  officer_id: string | null;
  local_hour: number | null;
  g: number;
  issued: number;
  walk_ins: number;
  bookings: number;
  served: number;
  no_shows: number;
  waits: number;
  wait_mean: number | null;
  wait_p90: number | null;
  services: number;
  service_mean: number | null;
  service_p90: number | null;
  session_s: number;
  busy_s: number;
  ratings: number;
  rating_mean: number | null;
}

/** Seconds to the millisecond; ratings to two decimals. */
const seconds = (value: number | null) => (value === null ? null : Math.round(Number(value) * 1000) / 1000);

export class PgKpiQuery extends KpiQuery {
  constructor(private readonly pool: Pool) {
    super();
  }

  async rows(request: KpiQueryRequest): Promise<KpiRow[]> {
    const { rows } = await this.pool.query<Row>(kpiSql(request.groupings), [request.from, request.to, request.centre, request.now]);
    const result: KpiRow[] = [];
    for (const row of rows) {
      const grouping = BY_BITS.get(row.g);
      if (!grouping) continue;
      // Events without a counter (issue) or officer form a NULL group there; it is not a counter.
      if ((grouping === 'counter' || grouping === 'counter-hour') && row.counter_code === null) continue;
      if (grouping === 'officer' && row.officer_id === null) continue;
      const sessionSeconds = seconds(row.session_s) ?? 0;
      result.push({
        grouping,
        centre: row.centre_code,
        date: row.local_day,
        counter: row.counter_code,
        officer: row.officer_id,
        hour: row.local_hour,
        figures: {
          ticketsIssued: row.issued,
          walkIns: row.walk_ins,
          bookings: row.bookings,
          served: row.served,
          noShows: row.no_shows,
          waitingSeconds: { count: row.waits, mean: seconds(row.wait_mean), p90: seconds(row.wait_p90) },
          serviceSeconds: { count: row.services, mean: seconds(row.service_mean), p90: seconds(row.service_p90) },
          satisfaction: { responses: row.ratings, meanRating: row.rating_mean === null ? null : Math.round(row.rating_mean * 100) / 100 },
          sessionSeconds,
          idleSeconds: Math.max(0, Math.round((sessionSeconds - (seconds(row.busy_s) ?? 0)) * 1000) / 1000),
        },
      });
    }
    return result;
  }
}
