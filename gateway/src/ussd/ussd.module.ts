import { Module } from '@nestjs/common';
import { BookingRepository } from '../../../core/bookings/booking.repository';
import { BookAppointment } from '../../../core/bookings/use-cases/book-appointment';
import { ChangeBooking } from '../../../core/bookings/use-cases/change-booking';
import { ListFreeSlots } from '../../../core/bookings/use-cases/list-free-slots';
import { CentreRepository } from '../../../core/centres/centre.repository';
import { PgUssdSessionRepository } from '../../../core/ussd/pg/ussd-session.pg-repository';
import { UssdAppointmentsService } from '../../../core/ussd/ussd-appointments.service';
import { UssdMenu } from '../../../core/ussd/ussd-menu';
import { AnswerUssdCallback } from '../../../core/ussd/use-cases/answer-ussd-callback';
import { KIUNGO_RUNTIME, type KiungoRuntime } from '../runtime/runtime';
import { UssdController } from './ussd.controller';

/** The USSD channel: Africa's Talking callbacks driving the Service by Appointment use cases. */
@Module({
  controllers: [UssdController],
  providers: [
    {
      provide: UssdMenu,
      inject: [KIUNGO_RUNTIME, CentreRepository, BookingRepository, ListFreeSlots, BookAppointment, ChangeBooking],
      useFactory: (runtime: KiungoRuntime, centres: CentreRepository, bookings: BookingRepository, slots: ListFreeSlots, book: BookAppointment, change: ChangeBooking) =>
        new UssdMenu(new UssdAppointmentsService(centres, bookings, slots, book, change, runtime.catalogue, runtime.vault, runtime.clock)),
    },
    {
      provide: AnswerUssdCallback,
      inject: [KIUNGO_RUNTIME, UssdMenu],
      useFactory: (runtime: KiungoRuntime, menu: UssdMenu) => new AnswerUssdCallback(new PgUssdSessionRepository(runtime.pool), menu, runtime.vault, runtime.clock),
    },
  ],
})
export class UssdModule {}
