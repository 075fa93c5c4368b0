import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { AgencyRegistry } from '../../../adapters/registry';
import type { AgencyCallRecord } from '../../../adapters/resilience/resilient-agency';
import { ROOT_LOGGER } from './logger';

/** Our own shedding: the agency was not called, so nothing about the agency to warn of. */
const SHED = new Set(['breaker_open', 'bulkhead_full', 'rate_limited']);

/**
 * One line per agency call, after it ended: `{"msg":"agency call","correlationId","transactionId"?,
 * "agency","operation","outcome","inline","ms","reason"?}`. The correlation id is the request's
 * for an inline call and otherwise the transaction id (what the agency received as correlation
 * key); status look-ups and reservations carry neither. A transient failure of the agency is a
 * warning; an answer, or a call we shed ourselves, is info. Never the payload: the fields are
 * codes and numbers (AgencyCallError's reason names status and error codes only).
 */
@Injectable()
export class AgencyCallLog implements OnApplicationShutdown {
  private readonly unsubscribe: () => void;

  constructor(agencies: AgencyRegistry, @Inject(ROOT_LOGGER) logger: Logger) {
    const log = logger.child({ context: 'AgencyCall' });
    this.unsubscribe = agencies.onCall((call) => this.write(log, call));
  }

  private write(log: Logger, call: AgencyCallRecord): void {
    const level = call.reason !== undefined && !SHED.has(call.outcome) ? 'warn' : 'info';
    if (!log.isLevelEnabled(level)) return;
    const correlationId = call.correlationId ?? call.transactionId;
    log[level](
      {
        ...(correlationId && { correlationId }),
        ...(call.transactionId && { transactionId: call.transactionId }),
        agency: call.agencyCode,
        operation: call.operation,
        outcome: call.outcome,
        inline: call.inline,
        ms: Math.round(call.ms * 10) / 10,
        ...(call.reason !== undefined && { reason: call.reason }),
      },
      'agency call',
    );
  }

  onApplicationShutdown(): void {
    this.unsubscribe();
  }
}
