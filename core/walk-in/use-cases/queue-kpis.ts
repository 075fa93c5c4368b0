import { addDays, localDate } from '../../centres/domain/local-time';
import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import { emptyFigures, MAX_KPI_RANGE_DAYS, withoutStaffing, type CentreDayKpis, type KpiRow, type RangeKpis } from '../domain/kpi';
import type { KpiQuery } from '../kpi.query';
import { authorize, type Actor } from '../../authorization';
import { centreNamed, type CentreDirectory } from './queue-access';

/**
 * GET /v1/centres/{code}/kpis?date= (one centre, one local day: the day, each counter, each
 * counter's hours, each officer) and GET /v1/kpis?from=&to= (every centre, per day, with totals).
 */
export class QueueKpis {
  constructor(
    private readonly centres: CentreDirectory,
    private readonly kpis: KpiQuery,
    private readonly clock: Clock,
  ) {}

  async centreDay(centreCode: string, date: string | undefined, reader: Actor): Promise<CentreDayKpis> {
    authorize(reader, 'kpi.read');
    const centre = await centreNamed(this.centres, centreCode);
    authorize(reader, 'kpi.read', { centre: centre.code });
    const now = this.clock.now();
    // A given date is a real day (centre-kpi-query.v1.json, at the edge).
    const day = date ?? localDate(now, centre.timeZone);
    const rows = await this.kpis.rows({ from: day, to: day, centre: centre.code, groupings: ['centre-day', 'counter', 'counter-hour', 'officer'], now });
    const of = (grouping: KpiRow['grouping']) => rows.filter((r) => r.grouping === grouping);
    return {
      centre: centre.code,
      date: day,
      timeZone: centre.timeZone,
      day: of('centre-day')[0]?.figures ?? emptyFigures(),
      counters: of('counter').map((c) => ({
        counter: c.counter as string,
        ...c.figures,
        hours: of('counter-hour')
          .filter((h) => h.counter === c.counter)
          .map((h) => ({ hour: h.hour as number, ...withoutStaffing(h.figures) })),
      })),
      officers: of('officer').map((o) => ({
        officer: o.officer as string,
        sessionSeconds: o.figures.sessionSeconds,
        idleSeconds: o.figures.idleSeconds,
        served: o.figures.served,
        serviceSeconds: o.figures.serviceSeconds,
        satisfaction: o.figures.satisfaction,
      })),
    };
  }

  /**
   * `from` and `to` are real days (kpi-range-query.v1.json, at the edge); their order and span are
   * checked here. Every centre in the reader's scope (a manager bound to a centre: that centre only).
   */
  async range(first: string, last: string, reader: Actor): Promise<RangeKpis> {
    const scope = authorize(reader, 'kpi.read');
    if (first > last) {
      throw new DomainError('invalid', 'validation-failed', 'from must not be after to.', { errors: [{ field: 'query:from', message: 'must not be after to' }] });
    }
    if (addDays(first, MAX_KPI_RANGE_DAYS - 1) < last) {
      throw new DomainError('invalid', 'validation-failed', `A KPI range spans at most ${MAX_KPI_RANGE_DAYS} days.`, {
        errors: [{ field: 'query:to', message: `must be within ${MAX_KPI_RANGE_DAYS} days of from` }],
      });
    }
    const rows = await this.kpis.rows({ from: first, to: last, centre: scope.centre ?? null, groupings: ['all', 'centre', 'centre-day'], now: this.clock.now() });
    const centres = rows.filter((r) => r.grouping === 'centre');
    return {
      from: first,
      to: last,
      total: rows.find((r) => r.grouping === 'all')?.figures ?? emptyFigures(),
      centres: centres.map((c) => ({
        centre: c.centre as string,
        total: c.figures,
        days: rows.filter((r) => r.grouping === 'centre-day' && r.centre === c.centre).map((d) => ({ date: d.date as string, ...d.figures })),
      })),
    };
  }
}
