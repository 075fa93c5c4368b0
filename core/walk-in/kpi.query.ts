import type { KpiRow } from './domain/kpi';

export type KpiGrouping = KpiRow['grouping'];

export interface KpiQueryRequest {
  from: string;
  to: string;
  /** One centre, or all of them. */
  centre: string | null;
  groupings: KpiGrouping[];
  /** Open sessions count up to this instant. */
  now: Date;
}

/** Aggregates queue_events into KPI rows; the pg implementation lives in ./pg. */
export abstract class KpiQuery {
  abstract rows(request: KpiQueryRequest): Promise<KpiRow[]>;
}
