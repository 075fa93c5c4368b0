import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { AgencyRegistry } from '../../../adapters/registry';
import { AgencyCallWindow } from '../../../core/agencies/agency-call-window';
import { AlertRepository } from '../../../core/alerts/alert.repository';
import { PgAlertRepository } from '../../../core/alerts/pg/alert.pg-repository';
import { AuditLog } from '../../../core/audit/audit-log';
import { Clock } from '../../../core/shared/clock';
import { DB_POOL } from '../runtime/tokens';

/** Our own shedding (an open breaker, a full bulkhead, the rate limit) is not a call the agency answered. */
const SHED = new Set(['breaker_open', 'bulkhead_full', 'rate_limited']);
/** Transient outcomes that count as the agency failing. Business rejections are answers, not failures. */
const FAILED = new Set(['timeout', 'unavailable', 'misconfigured', 'bad_response']);

/**
 * What the operations room and its alerts share in one process: the agency calls of the last
 * minutes (fed by every call through the adapters' guards) and the alerts' storage.
 */
@Module({
  providers: [
    {
      provide: AgencyCallWindow,
      inject: [AgencyRegistry, Clock],
      useFactory: (registry: AgencyRegistry, clock: Clock) => {
        const window = new AgencyCallWindow();
        registry.onCall((call) => {
          if (!SHED.has(call.outcome)) window.record(call.agencyCode, { failed: FAILED.has(call.outcome), ms: call.ms, at: clock.now() });
        });
        return window;
      },
    },
    { provide: AlertRepository, inject: [DB_POOL, AuditLog], useFactory: (pool: Pool, audit: AuditLog) => new PgAlertRepository(pool, audit) },
  ],
  exports: [AgencyCallWindow, AlertRepository],
})
export class AlertsCoreModule {}
