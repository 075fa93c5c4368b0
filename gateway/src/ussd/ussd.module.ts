import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { Catalogue } from '../../../contracts/src/catalogue';
import { BookingRepository } from '../../../core/bookings/booking.repository';
import { BookAppointment } from '../../../core/bookings/use-cases/book-appointment';
import { ChangeBooking } from '../../../core/bookings/use-cases/change-booking';
import { ListFreeSlots } from '../../../core/bookings/use-cases/list-free-slots';
import { CentreRepository } from '../../../core/centres/centre.repository';
import { Clock } from '../../../core/shared/clock';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { PgUssdSessionRepository } from '../../../core/ussd/pg/ussd-session.pg-repository';
import { UssdAppointmentsService } from '../../../core/ussd/ussd-appointments.service';
import { UssdMenu } from '../../../core/ussd/ussd-menu';
import { AnswerUssdCallback } from '../../../core/ussd/use-cases/answer-ussd-callback';
import { FollowApplication } from '../../../core/follow-up/follow-application';
import { BookingsCoreModule } from '../bookings/bookings-core.module';
import { CentresCoreModule } from '../centres/centres-core.module';
import { FollowUpCoreModule } from '../follow-up/follow-up-core.module';
import { DB_POOL } from '../runtime/tokens';
import { UssdController } from './ussd.controller';

/** The USSD channel: Africa's Talking callbacks driving the Service by Appointment use cases. */
@Module({
  imports: [CentresCoreModule, BookingsCoreModule, FollowUpCoreModule],
  controllers: [UssdController],
  providers: [
    {
      provide: UssdMenu,
      inject: [CentreRepository, BookingRepository, ListFreeSlots, BookAppointment, ChangeBooking, Catalogue, PersonalDataVault, Clock, FollowApplication],
      useFactory: (
        centres: CentreRepository,
        bookings: BookingRepository,
        slots: ListFreeSlots,
        book: BookAppointment,
        change: ChangeBooking,
        catalogue: Catalogue,
        vault: PersonalDataVault,
        clock: Clock,
        applications: FollowApplication,
      ) => new UssdMenu(new UssdAppointmentsService(centres, bookings, slots, book, change, catalogue, vault, clock), applications),
    },
    {
      provide: AnswerUssdCallback,
      inject: [DB_POOL, UssdMenu, PersonalDataVault, Clock],
      useFactory: (pool: Pool, menu: UssdMenu, vault: PersonalDataVault, clock: Clock) => new AnswerUssdCallback(new PgUssdSessionRepository(pool), menu, vault, clock),
    },
  ],
})
export class UssdModule {}
