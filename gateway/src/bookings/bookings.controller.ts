import { Controller, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponse } from '../docs/problem.schema';
import type { FastifyReply } from 'fastify';
import type { Booking, BookingBulkChange, BookingBulkResult, BookingList, BookingQuery, BookingReschedule, NewBooking } from '../../../contracts/src/message.types';
import { BulkChangeBookings } from '../../../core/bookings/use-cases/bulk-change-bookings';
import { BookAppointment } from '../../../core/bookings/use-cases/book-appointment';
import { ChangeBooking } from '../../../core/bookings/use-cases/change-booking';
import { FindBookings } from '../../../core/bookings/use-cases/find-booking';
import { CurrentPrincipal, Can, type Principal } from '../auth';
import { answerOnce, IdempotencyInStatements, IdempotencyKeyGuard } from '../http/idempotency-key';
import { RunOnce } from '../../../core/idempotency/use-cases/run-once';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ValidBody } from '../http/valid-body';
import { ValidQuery } from '../http/valid-query';

@ApiTags('bookings')
@ApiBearerAuth()
@Controller('v1/bookings')
export class BookingsController {
  constructor(
    private readonly book: BookAppointment,
    private readonly find: FindBookings,
    private readonly change: ChangeBooking,
    private readonly bulk: BulkChangeBookings,
    private readonly runOnce: RunOnce,
  ) {}

  @Post()
  @HttpCode(201)
  @Can('booking.create')
  // The
  // guard checks the key and hashes the body, the handler answers through answerOnce (issue 13).
  @UseGuards(IdempotencyKeyGuard)
  @IdempotencyInStatements()
  @ApiOperation({
    summary: 'Book an appointment (Service by Appointment)',
    description:
      '409 `slot-full` when the slot has no place left, 409 `already-booked` for a second active booking of the same service on the same day, 409 `centre-changed` when the centre changed three times while the booking was being made (send it again). An SMS confirms.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiMessageResponse(201, 'booking', 'Booked')
  @ApiProblemResponse(404, 'No such centre')
  @ApiProblemResponse(409, '`slot-full`, `already-booked` or `centre-changed`')
  @ApiProblemResponse(422, 'Not a valid booking: fields, unknown service, slot not offered, Idempotency-Key missing or reused (fields named)')
  async create(
    @ValidBody('new-booking') body: NewBooking,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Booking> {
    return (await answerOnce(this.runOnce, reply.request, reply, async () => {
      // The key is claimed, and answered when it can be, in the booking's own statement.
      const booking = await this.book.execute(body, principal, { key: reply.request.inlineKey!, answerFor: (view) => ({ status: 201, body: view }) });
      reply.header('Location', `/v1/bookings/${booking.reference}`);
      return booking;
    })) as Booking;
  }

  @Get()
  @Can('booking.read')
  @ApiOperation({ summary: "A citizen's bookings (newest first), by national ID; officers see their centre's only" })
  @ApiMessageResponse(200, 'booking-list')
  @ApiProblemResponse(422, 'Not a national ID number (query field named)')
  async byCitizen(@ValidQuery('booking-query') query: BookingQuery, @CurrentPrincipal() principal: Principal): Promise<BookingList> {
    return { items: await this.find.byCitizen(query.citizen, principal) };
  }

  @Get(':reference')
  @Can('booking.read')
  @ApiOperation({ summary: 'A booking by its reference' })
  @ApiParam({ name: 'reference', example: 'K7QM-4X3P' })
  @ApiProblemResponse(404, 'No such booking, or not visible to the caller')
  @ApiMessageResponse(200, 'booking')
  get(@Param('reference') reference: string, @CurrentPrincipal() principal: Principal): Promise<Booking> {
    return this.find.byReference(reference, principal);
  }

  @Post('bulk-change')
  @HttpCode(200)
  @Can('booking.bulk-change')
  @ApiOperation({
    summary: "Move or cancel every booking in a window: an agency's maintenance or a centre closing unexpectedly (one audited action)",
    description:
      '`move`: each booking to the nearest free slot after the window (same centre and service), capacity guarded as for any reschedule; `cancel`: each place released. ' +
      'Every citizen gets the usual SMS. `dryRun: true` lists the bookings and where they would go. A manager bound to a centre acts on that centre only.',
  })
  @ApiProblemResponse(403, 'A manager bound to another centre')
  @ApiProblemResponse(404, 'No such centre')
  @ApiProblemResponse(422, 'Not valid (fields named): no centre nor agency, an unknown agency, `to` not after `from`, more than 500 bookings')
  @ApiMessageResponse(200, 'booking-bulk-result')
  bulkChange(@ValidBody('booking-bulk-change') body: BookingBulkChange, @CurrentPrincipal() principal: Principal): Promise<BookingBulkResult> {
    return this.bulk.execute(body, principal);
  }

  @Post(':reference/cancel')
  @HttpCode(200)
  @Can('booking.change')
  @ApiOperation({ summary: 'Cancel a booking; its place goes back on sale' })
  @ApiParam({ name: 'reference', example: 'K7QM-4X3P' })
  @ApiProblemResponse(404, 'No such booking')
  @ApiProblemResponse(409, 'The booking is no longer active')
  @ApiMessageResponse(200, 'booking')
  cancel(@Param('reference') reference: string, @CurrentPrincipal() principal: Principal): Promise<Booking> {
    return this.change.cancel(reference, principal);
  }

  @Post(':reference/reschedule')
  @HttpCode(200)
  @Can('booking.change')
  @ApiOperation({
    summary: 'Move a booking to another slot of the same centre and service (all or nothing)',
    description: '409 `centre-changed` when the centre changed three times while the booking was being moved (send it again).',
  })
  @ApiParam({ name: 'reference', example: 'K7QM-4X3P' })
  @ApiProblemResponse(404, 'No such booking')
  @ApiProblemResponse(409, '`slot-full`, `centre-changed`, or the booking is no longer active')
  @ApiProblemResponse(422, 'Not a free slot start of the same centre and service (fields named)')
  @ApiMessageResponse(200, 'booking')
  reschedule(
    @Param('reference') reference: string,
    @ValidBody('booking-reschedule') change: BookingReschedule,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Booking> {
    return this.change.reschedule(reference, change, principal);
  }
}
