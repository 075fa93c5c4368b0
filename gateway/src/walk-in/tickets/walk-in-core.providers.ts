import { Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuditLog } from '../../../../core/audit/audit-log';
import { CheckInBooking } from '../../../../core/bookings/use-cases/check-in-booking';
import { CentreRepository } from '../../../../core/centres/centre.repository';
import { BoardFeed } from '../../../../core/walk-in/board-feed';
import { CounterSessionRepository } from '../../../../core/walk-in/counter-session.repository';
import { EventBus } from '../../../../core/walk-in/events/event-bus.port';
import { InProcessEventBus } from '../../../../core/walk-in/events/in-process.event-bus';
import { RedisEventBus } from '../../../../core/walk-in/events/redis.event-bus';
import { KpiQuery } from '../../../../core/walk-in/kpi.query';
import { PgCounterSessionRepository } from '../../../../core/walk-in/pg/counter-session.pg-repository';
import { PgKpiQuery } from '../../../../core/walk-in/pg/kpi.pg-query';
import { PgTicketRepository } from '../../../../core/walk-in/pg/ticket.pg-repository';
import { TicketRepository } from '../../../../core/walk-in/ticket.repository';
import { CallNext } from '../../../../core/walk-in/use-cases/call-next';
import { CounterSessions } from '../../../../core/walk-in/use-cases/counter-sessions';
import { GiveFeedback } from '../../../../core/walk-in/use-cases/give-feedback';
import { IssueTicket } from '../../../../core/walk-in/use-cases/issue-ticket';
import { QueueKpis } from '../../../../core/walk-in/use-cases/queue-kpis';
import { TicketActions } from '../../../../core/walk-in/use-cases/ticket-actions';
import type { KiungoRuntime } from '../../runtime/runtime';

/**
 * The bus's channel namespace. Replicas of one deployment share one database, so the database
 * (its host, port and name; never the password) names the deployment: its replicas hear each
 * other, and two deployments (or two test runs) on one Redis never do.
 */
export function eventBusNamespace(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const identity = `${url.hostname}:${url.port}${url.pathname}`;
  return `kiungo:${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}

async function createEventBus(runtime: KiungoRuntime): Promise<EventBus> {
  const { redisUrl, databaseUrl } = runtime.config;
  if (!redisUrl || !databaseUrl) return new InProcessEventBus();
  return new RedisEventBus({ url: redisUrl, namespace: eventBusNamespace(databaseUrl) }).connect();
}

@Injectable()
class EventBusLifecycle implements OnApplicationShutdown {
  constructor(private readonly bus: EventBus) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}

/** Walk-in queues, counters, boards and KPIs wired to the runtime (spread into CoreModule). */
export function queueingCoreProviders(runtime: KiungoRuntime): Provider[] {
  return [
    { provide: EventBus, useFactory: () => createEventBus(runtime) },
    EventBusLifecycle,
    { provide: TicketRepository, inject: [AuditLog], useFactory: (audit: AuditLog) => new PgTicketRepository(runtime.pool, audit) },
    {
      provide: CounterSessionRepository,
      inject: [AuditLog],
      useFactory: (audit: AuditLog) => new PgCounterSessionRepository(runtime.pool, audit),
    },
    { provide: KpiQuery, useFactory: () => new PgKpiQuery(runtime.pool) },
    { provide: BoardFeed, inject: [EventBus, TicketRepository], useFactory: (bus: EventBus, t: TicketRepository) => new BoardFeed(bus, t) },
    {
      provide: IssueTicket,
      inject: [CentreRepository, TicketRepository, CheckInBooking, BoardFeed],
      useFactory: (c: CentreRepository, t: TicketRepository, checkIn: CheckInBooking, board: BoardFeed) => new IssueTicket(c, t, checkIn, board, runtime.clock),
    },
    {
      provide: CounterSessions,
      inject: [CentreRepository, CounterSessionRepository],
      useFactory: (c: CentreRepository, s: CounterSessionRepository) => new CounterSessions(c, s, runtime.clock),
    },
    {
      provide: CallNext,
      inject: [CentreRepository, TicketRepository, BoardFeed],
      useFactory: (c: CentreRepository, t: TicketRepository, board: BoardFeed) => new CallNext(c, t, board, runtime.clock),
    },
    {
      provide: TicketActions,
      inject: [CentreRepository, TicketRepository, BoardFeed],
      useFactory: (c: CentreRepository, t: TicketRepository, board: BoardFeed) => new TicketActions(c, t, board, runtime.clock),
    },
    { provide: GiveFeedback, inject: [TicketRepository], useFactory: (t: TicketRepository) => new GiveFeedback(t, runtime.vault, runtime.clock) },
    { provide: QueueKpis, inject: [CentreRepository, KpiQuery], useFactory: (c: CentreRepository, k: KpiQuery) => new QueueKpis(c, k, runtime.clock) },
  ];
}

/** What the tickets, counters, boards and KPI controllers inject. */
export const QUEUEING_CORE_EXPORTS = [EventBus, TicketRepository, CounterSessionRepository, BoardFeed, IssueTicket, CounterSessions, CallNext, TicketActions, GiveFeedback, QueueKpis];
