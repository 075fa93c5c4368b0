import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AgencyModes } from '../../../core/agencies/agency-modes';
import { AgencyNotices } from '../../../core/agencies/agency-notices';
import { OutageRepository } from '../../../core/agencies/outage.repository';
import { PgOutageRepository } from '../../../core/agencies/pg/outage.pg-repository';
import { AuditLog } from '../../../core/audit/audit-log';
import { CheckInBooking } from '../../../core/bookings/use-cases/check-in-booking';
import { CentreRepository } from '../../../core/centres/centre.repository';
import { Clock } from '../../../core/shared/clock';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { BoardFeed } from '../../../core/walk-in/board-feed';
import { CounterSessionRepository } from '../../../core/walk-in/counter-session.repository';
import { EventBus } from '../../../core/events/event-bus.port';
import { KpiQuery } from '../../../core/walk-in/kpi.query';
import { PgCounterSessionRepository } from '../../../core/walk-in/pg/counter-session.pg-repository';
import { PgKpiQuery } from '../../../core/walk-in/pg/kpi.pg-query';
import { PgTicketRepository } from '../../../core/walk-in/pg/ticket.pg-repository';
import { TicketRepository } from '../../../core/walk-in/ticket.repository';
import { CallNext } from '../../../core/walk-in/use-cases/call-next';
import { CallAhead } from '../../../core/walk-in/use-cases/call-ahead';
import { BookingRepository } from '../../../core/bookings/booking.repository';
import { NoticeChoicesRepository } from '../../../core/centres/notice-choices';
import { NoticeOutbox } from '../../../core/notifications/notice-outbox';
import { CounterSessions } from '../../../core/walk-in/use-cases/counter-sessions';
import { GiveFeedback } from '../../../core/walk-in/use-cases/give-feedback';
import { IssueTicket } from '../../../core/walk-in/use-cases/issue-ticket';
import { QueueKpis } from '../../../core/walk-in/use-cases/queue-kpis';
import { TicketActions } from '../../../core/walk-in/use-cases/ticket-actions';
import { AgencyModesModule } from '../agencies/agency-modes.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { BookingsCoreModule } from '../bookings/bookings-core.module';
import { CentresCoreModule } from '../centres/centres-core.module';
import { EventBusModule } from '../events/event-bus.module';
import { DB_POOL, PREPARED_STATEMENTS } from '../runtime/tokens';

const providers = [
  {
    provide: TicketRepository,
    inject: [DB_POOL, AuditLog, PREPARED_STATEMENTS],
    useFactory: (pool: Pool, audit: AuditLog, prepared: boolean) => new PgTicketRepository(pool, audit, prepared),
  },
  {
    provide: CounterSessionRepository,
    inject: [DB_POOL, AuditLog],
    useFactory: (pool: Pool, audit: AuditLog) => new PgCounterSessionRepository(pool, audit),
  },
  { provide: KpiQuery, inject: [DB_POOL], useFactory: (pool: Pool) => new PgKpiQuery(pool) },
  { provide: OutageRepository, inject: [DB_POOL], useFactory: (pool: Pool) => new PgOutageRepository(pool) },
  {
    provide: AgencyNotices,
    inject: [Catalogue, AgencyModes, OutageRepository, CentreRepository],
    useFactory: (catalogue: Catalogue, modes: AgencyModes, outages: OutageRepository, centres: CentreRepository) => new AgencyNotices(catalogue, modes, outages, centres),
  },
  {
    provide: BoardFeed,
    inject: [EventBus, TicketRepository, AgencyNotices],
    useFactory: (bus: EventBus, t: TicketRepository, notices: AgencyNotices) => new BoardFeed(bus, t, notices),
  },
  {
    provide: IssueTicket,
    inject: [CentreRepository, TicketRepository, CheckInBooking, BoardFeed, Clock, AgencyNotices, PersonalDataVault],
    useFactory: (c: CentreRepository, t: TicketRepository, checkIn: CheckInBooking, board: BoardFeed, clock: Clock, notices: AgencyNotices, vault: PersonalDataVault) =>
      new IssueTicket(c, t, checkIn, board, clock, notices, vault),
  },
  {
    provide: CounterSessions,
    inject: [CentreRepository, CounterSessionRepository, Clock],
    useFactory: (c: CentreRepository, s: CounterSessionRepository, clock: Clock) => new CounterSessions(c, s, clock),
  },
  {
    provide: CallAhead,
    inject: [CentreRepository, NoticeChoicesRepository, TicketRepository, BookingRepository, NoticeOutbox, PersonalDataVault],
    useFactory: (c: CentreRepository, choices: NoticeChoicesRepository, t: TicketRepository, b: BookingRepository, outbox: NoticeOutbox, vault: PersonalDataVault) =>
      new CallAhead(c, choices, t, b, outbox, vault),
  },
  {
    provide: CallNext,
    inject: [CentreRepository, TicketRepository, BoardFeed, Clock, CallAhead],
    useFactory: (c: CentreRepository, t: TicketRepository, board: BoardFeed, clock: Clock, callAhead: CallAhead) => new CallNext(c, t, board, clock, callAhead),
  },
  {
    provide: TicketActions,
    inject: [CentreRepository, TicketRepository, BoardFeed, Clock],
    useFactory: (c: CentreRepository, t: TicketRepository, board: BoardFeed, clock: Clock) => new TicketActions(c, t, board, clock),
  },
  {
    provide: GiveFeedback,
    inject: [TicketRepository, PersonalDataVault, Clock],
    useFactory: (t: TicketRepository, vault: PersonalDataVault, clock: Clock) => new GiveFeedback(t, vault, clock),
  },
  { provide: QueueKpis, inject: [CentreRepository, KpiQuery, Clock], useFactory: (c: CentreRepository, k: KpiQuery, clock: Clock) => new QueueKpis(c, k, clock) },
];

/**
 * The citizens' queue in the hall: tickets, counters, call-next, boards over the event bus
 * (in-process, or Redis pub/sub across replicas) and KPIs. Tickets check bookings in.
 */
@Module({
  imports: [CentresCoreModule, BookingsCoreModule, EventBusModule, AgencyModesModule, NotificationsModule],
  providers,
  exports: providers.map((p) => p.provide),
})
export class WalkInCoreModule {}
