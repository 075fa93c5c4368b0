/**
 * Queue KPIs (the Secretariat's figures): derived from queue_events only, never stored. Times are
 * seconds; p90 is the continuous 90th percentile (PostgreSQL percentile_cont: linear between the
 * two nearest values). Definitions:
 * - waiting: first call − arrival, per ticket (a transfer does not restart the clock), counted on the call;
 * - service: completion − the call it followed, counted on the completion;
 * - session: close − open of officers' counter sessions (open ones up to now), counted for the day they opened;
 * - idle: session time − busy time (call → completion, no-show or transfer, at that counter).
 */
import type {
  CentreDayKpis,
  FigureFields,
  RangeKpis,
  StaffedFigures as StaffedFiguresMessage,
  Stat as StatMessage,
} from '../../../contracts/src/message.types';

/** The figures as the API shows them (centre-day-kpis.v1.json, range-kpis.v1.json). */
export type Stat = StatMessage;
export type Figures = FigureFields;
export type StaffedFigures = StaffedFiguresMessage;
export type { CentreDayKpis, RangeKpis };

/** One aggregated row of the KPI query; which of the keys are set says which grouping it is. */
export interface KpiRow {
  grouping: 'all' | 'centre' | 'centre-day' | 'counter' | 'counter-hour' | 'officer';
  centre: string | null;
  date: string | null;
  counter: string | null;
  officer: string | null;
  hour: number | null;
  figures: StaffedFigures;
}

export const MAX_KPI_RANGE_DAYS = 92;

export function emptyFigures(): StaffedFigures {
  const none = { count: 0, mean: null, p90: null };
  return {
    ticketsIssued: 0,
    walkIns: 0,
    bookings: 0,
    served: 0,
    noShows: 0,
    waitingSeconds: { ...none },
    serviceSeconds: { ...none },
    satisfaction: { responses: 0, meanRating: null },
    sessionSeconds: 0,
    idleSeconds: 0,
  };
}

/** Figures of an hour: session and idle time belong to whole sessions, not to hours. */
export function withoutStaffing({ sessionSeconds: _s, idleSeconds: _i, ...figures }: StaffedFigures): Figures {
  return figures;
}
