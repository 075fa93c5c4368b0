import type { Pool, PoolClient } from 'pg';
import type { NewAuditEvent } from '../../audit/audit-event';
import type { AuditLog } from '../../audit/audit-log';
import { PG_ERROR, pgErrorCode, statement, withTransaction, type Queryable } from '../../db/pool';
import { DomainError } from '../../shared/errors';
import type { Centre, CentreSummary, IsoWeekday } from '../domain/centre';
import { CentreRepository, type CentreDefinition, type VersionedCentre } from '../centre.repository';

const CENTRE_SQL = `
SELECT c.code, c.name, c.county, c.time_zone, c.slot_minutes, c.booking_horizon_days, c.no_show_grace_minutes, c.version,
  COALESCE((SELECT json_agg(json_build_object('weekday', h.weekday, 'opens', to_char(h.opens_at, 'HH24:MI'),
                                              'closes', to_char(h.closes_at, 'HH24:MI')) ORDER BY h.weekday)
              FROM centre_opening_hours h WHERE h.centre_code = c.code), '[]') AS opening_hours,
  COALESCE((SELECT json_agg(json_build_object('date', to_char(d.holiday, 'YYYY-MM-DD'), 'name', d.name) ORDER BY d.holiday)
              FROM centre_holidays d WHERE d.centre_code = c.code), '[]') AS holidays,
  COALESCE((SELECT json_agg(json_build_object('serviceCode', s.service_code, 'ticketLetter', s.ticket_letter,
                                              'slotCapacity', s.slot_capacity) ORDER BY s.service_code)
              FROM centre_services s WHERE s.centre_code = c.code), '[]') AS services,
  COALESCE((SELECT json_agg(json_build_object('code', k.code, 'name', k.name, 'services',
                     COALESCE((SELECT json_agg(cs.service_code ORDER BY cs.service_code) FROM counter_services cs
                                WHERE cs.centre_code = k.centre_code AND cs.counter_code = k.code), '[]')) ORDER BY k.code)
              FROM counters k WHERE k.centre_code = c.code), '[]') AS counters
  FROM centres c WHERE c.code = $1`;

interface CentreRow {
  code: string;
  name: string;
  county: string;
  time_zone: string;
  slot_minutes: number;
  booking_horizon_days: number;
  no_show_grace_minutes: number;
  version: number;
  opening_hours: Array<{ weekday: number; opens: string; closes: string }>;
  holidays: Centre['holidays'];
  services: Centre['services'];
  counters: Centre['counters'];
}

export class PgCentreRepository extends CentreRepository {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
    /**
     * The centre's read as a named prepared statement (production PostgreSQL; not the embedded
     * database): every booking and ticket reads its centre first, and unnamed, its five
     * sub-selects were parsed and planned each time, ~5× the CPU of running the plan (issue 13).
     */
    private readonly prepared = false,
  ) {
    super();
  }

  async list(): Promise<CentreSummary[]> {
    const { rows } = await this.pool.query<{ code: string; name: string; county: string; time_zone: string; services: string; counters: string }>(
      `SELECT c.code, c.name, c.county, c.time_zone,
              (SELECT count(*) FROM centre_services s WHERE s.centre_code = c.code) AS services,
              (SELECT count(*) FROM counters k WHERE k.centre_code = c.code) AS counters
         FROM centres c ORDER BY c.code`,
    );
    return rows.map((r) => ({ code: r.code, name: r.name, county: r.county, timeZone: r.time_zone, services: Number(r.services), counters: Number(r.counters) }));
  }

  async findByCode(code: string): Promise<Centre | null> {
    return (await readCentre(this.pool, code, this.prepared))?.centre ?? null;
  }

  findVersioned(code: string): Promise<VersionedCentre | null> {
    return readCentre(this.pool, code, this.prepared);
  }

  async save(definition: CentreDefinition, event: NewAuditEvent): Promise<{ centre: Centre; created: boolean }> {
    try {
      return await withTransaction(this.pool, async (client) => {
        await changeCentre(client, definition.code);
        const { rows } = await client.query<{ created: boolean }>(
          `INSERT INTO centres (code, name, county, time_zone, slot_minutes, booking_horizon_days, no_show_grace_minutes)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, county = EXCLUDED.county, time_zone = EXCLUDED.time_zone,
             slot_minutes = EXCLUDED.slot_minutes, booking_horizon_days = EXCLUDED.booking_horizon_days,
             no_show_grace_minutes = EXCLUDED.no_show_grace_minutes, updated_at = now()
           RETURNING (xmax = 0) AS created`,
          [definition.code, definition.name, definition.county, definition.timeZone, definition.slotMinutes, definition.bookingHorizonDays, definition.noShowGraceMinutes],
        );
        await writeParts(client, definition);
        // Slots already made (on their first booking) take the services' capacities from now on, as through setSlotCapacity.
        if (definition.services) await capacityFromNow(client, definition.code, event.occurredAt);
        await this.audit.append(client, { ...event, data: { ...event.data, created: rows[0].created } });
        const saved = await readCentre(client, definition.code, this.prepared);
        return { centre: (saved as VersionedCentre).centre, created: rows[0].created };
      });
    } catch (error) {
      if (pgErrorCode(error) === PG_ERROR.foreign_key_violation) {
        throw new DomainError('conflict', 'centre-part-in-use', 'A service or counter still in use (appointment slots, tickets, sessions) cannot be removed; set its capacity to 0 instead.');
      }
      if (pgErrorCode(error) === PG_ERROR.unique_violation) {
        throw new DomainError('invalid', 'validation-failed', 'Two services of the centre have the same ticket letter.', {
          errors: [{ field: '/services', message: 'ticket letters must be unique within a centre' }],
        });
      }
      throw error;
    }
  }

  async setSlotCapacity(centreCode: string, serviceCode: string, slotCapacity: number, from: Date, event: NewAuditEvent): Promise<Centre | null> {
    return withTransaction(this.pool, async (client) => {
      await changeCentre(client, centreCode);
      const updated = await client.query(
        'UPDATE centre_services SET slot_capacity = $3 WHERE centre_code = $1 AND service_code = $2',
        [centreCode, serviceCode, slotCapacity],
      );
      if (!updated.rowCount) return null;
      await capacityFromNow(client, centreCode, from, serviceCode);
      await this.audit.append(client, event);
      return (await readCentre(client, centreCode, this.prepared))?.centre ?? null;
    });
  }

  async seedMissing(definitions: CentreDefinition[], actor: string, at: Date): Promise<string[]> {
    const inserted: string[] = [];
    for (const definition of definitions) {
      const done = await withTransaction(this.pool, async (client) => {
        const { rowCount } = await client.query(
          `INSERT INTO centres (code, name, county, time_zone, slot_minutes, booking_horizon_days, no_show_grace_minutes)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING`,
          [definition.code, definition.name, definition.county, definition.timeZone, definition.slotMinutes, definition.bookingHorizonDays, definition.noShowGraceMinutes],
        );
        if (!rowCount) return false;
        await writeParts(client, definition);
        await this.audit.append(client, {
          entityType: 'centre',
          entityId: definition.code,
          type: 'seeded',
          actor,
          data: { services: definition.services?.length ?? 0, counters: definition.counters?.length ?? 0 },
          occurredAt: at,
        });
        return true;
      });
      if (done) inserted.push(definition.code);
    }
    return inserted;
  }
}

/**
 * The first statement of every change of a centre (migration 0133): the triggers of 0134 move the
 * version on anyway; this takes the centre's change lock before any row is written, the lock order
 * that migration's header gives the reason for.
 */
async function changeCentre(client: PoolClient, code: string): Promise<void> {
  await client.query('SELECT centre_change($1)', [code]);
}

async function readCentre(db: Queryable, code: string, prepared: boolean): Promise<VersionedCentre | null> {
  const { rows } = await db.query<CentreRow>(statement(CENTRE_SQL, [code], prepared));
  const row = rows[0];
  if (!row) return null;
  return { centre: centreOf(row), version: row.version };
}

function centreOf(row: CentreRow): Centre {
  return {
    code: row.code,
    name: row.name,
    county: row.county,
    timeZone: row.time_zone,
    slotMinutes: row.slot_minutes,
    bookingHorizonDays: row.booking_horizon_days,
    noShowGraceMinutes: row.no_show_grace_minutes,
    openingHours: row.opening_hours.map((h) => ({ weekday: h.weekday as IsoWeekday, opens: h.opens, closes: h.closes })),
    holidays: row.holidays,
    services: row.services,
    counters: row.counters,
  };
}

/**
 * The slots of a centre (or of one of its services) from `from` on take their service's capacity
 * per slot. Places already booked are kept: lowering capacity never cancels anyone.
 */
async function capacityFromNow(client: Queryable, centreCode: string, from: Date, serviceCode?: string): Promise<void> {
  await client.query(
    `UPDATE appointment_slots s SET capacity = GREATEST(s.booked, cs.slot_capacity)
       FROM centre_services cs
      WHERE s.centre_code = $1 AND s.slot_start >= $2 AND ($3::text IS NULL OR s.service_code = $3)
        AND cs.centre_code = s.centre_code AND cs.service_code = s.service_code
        AND s.capacity <> GREATEST(s.booked, cs.slot_capacity)`,
    [centreCode, from.toISOString(), serviceCode ?? null],
  );
}

/** Replaces hours and holidays; services and counters only when the definition carries them. */
async function writeParts(client: PoolClient, d: CentreDefinition): Promise<void> {
  await client.query('DELETE FROM centre_opening_hours WHERE centre_code = $1', [d.code]);
  for (const h of d.openingHours) {
    await client.query('INSERT INTO centre_opening_hours (centre_code, weekday, opens_at, closes_at) VALUES ($1, $2, $3, $4)', [d.code, h.weekday, h.opens, h.closes]);
  }
  await client.query('DELETE FROM centre_holidays WHERE centre_code = $1', [d.code]);
  for (const h of d.holidays) {
    await client.query('INSERT INTO centre_holidays (centre_code, holiday, name) VALUES ($1, $2, $3)', [d.code, h.date, h.name]);
  }
  if (d.services) {
    const codes = d.services.map((s) => s.serviceCode);
    await client.query('DELETE FROM centre_services WHERE centre_code = $1 AND NOT (service_code = ANY($2::text[]))', [d.code, codes]);
    // Letters are cleared first so that two services may swap letters in one PUT.
    await client.query('UPDATE centre_services SET ticket_letter = NULL WHERE centre_code = $1', [d.code]);
    for (const s of d.services) {
      await client.query(
        `INSERT INTO centre_services (centre_code, service_code, ticket_letter, slot_capacity) VALUES ($1, $2, $3, $4)
         ON CONFLICT (centre_code, service_code) DO UPDATE SET ticket_letter = EXCLUDED.ticket_letter, slot_capacity = EXCLUDED.slot_capacity`,
        [d.code, s.serviceCode, s.ticketLetter, s.slotCapacity],
      );
    }
  }
  if (d.counters) {
    const codes = d.counters.map((k) => k.code);
    await client.query('DELETE FROM counters WHERE centre_code = $1 AND NOT (code = ANY($2::text[]))', [d.code, codes]);
    for (const k of d.counters) {
      await client.query(
        'INSERT INTO counters (centre_code, code, name) VALUES ($1, $2, $3) ON CONFLICT (centre_code, code) DO UPDATE SET name = EXCLUDED.name',
        [d.code, k.code, k.name],
      );
      await client.query('DELETE FROM counter_services WHERE centre_code = $1 AND counter_code = $2', [d.code, k.code]);
      for (const service of k.services) {
        await client.query('INSERT INTO counter_services (centre_code, counter_code, service_code) VALUES ($1, $2, $3)', [d.code, k.code, service]);
      }
    }
  }
}
