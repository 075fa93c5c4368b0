import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { BookingView } from '../../../core/bookings/booking.view';
import { BookAppointment } from '../../../core/bookings/use-cases/book-appointment';
import { ChangeBooking } from '../../../core/bookings/use-cases/change-booking';
import { FindBookings } from '../../../core/bookings/use-cases/find-booking';
import { CurrentPrincipal, Roles, type Principal } from '../auth';
import { IdempotencyInterceptor } from '../http/idempotency.interceptor';
import { BookingDto, NewBookingDto, RescheduleDto } from './booking.dto';

@ApiTags('bookings')
@ApiBearerAuth()
@Controller('v1/bookings')
export class BookingsController {
  constructor(
    private readonly book: BookAppointment,
    private readonly find: FindBookings,
    private readonly change: ChangeBooking,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('channel', 'officer', 'admin')
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({
    summary: 'Book an appointment (Service by Appointment)',
    description: '409 `slot-full` when the slot has no place left, 409 `already-booked` for a second active booking of the same service on the same day. An SMS confirms.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiBody({ type: NewBookingDto })
  @ApiResponse({ status: 201, type: BookingDto })
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) reply: FastifyReply): Promise<BookingView> {
    const booking = await this.book.execute(body, principal);
    reply.header('Location', `/v1/bookings/${booking.reference}`);
    return booking;
  }

  @Get()
  @Roles('channel', 'officer', 'manager', 'admin')
  @ApiOperation({ summary: "A citizen's bookings (newest first), by national ID; officers see their centre's only" })
  @ApiQuery({ name: 'citizen', required: true, example: '12345678' })
  async byCitizen(@Query('citizen') citizen: string | undefined, @CurrentPrincipal() principal: Principal): Promise<{ items: BookingView[] }> {
    return { items: await this.find.byCitizen(citizen, principal) };
  }

  @Get(':reference')
  @Roles('channel', 'officer', 'manager', 'admin')
  @ApiOperation({ summary: 'A booking by its reference' })
  @ApiResponse({ status: 200, type: BookingDto })
  get(@Param('reference') reference: string, @CurrentPrincipal() principal: Principal): Promise<BookingView> {
    return this.find.byReference(reference, principal);
  }

  @Post(':reference/cancel')
  @HttpCode(200)
  @Roles('channel', 'officer', 'admin')
  @ApiOperation({ summary: 'Cancel a booking; its place goes back on sale' })
  @ApiResponse({ status: 200, type: BookingDto })
  cancel(@Param('reference') reference: string, @CurrentPrincipal() principal: Principal): Promise<BookingView> {
    return this.change.cancel(reference, principal);
  }

  @Post(':reference/reschedule')
  @HttpCode(200)
  @Roles('channel', 'officer', 'admin')
  @ApiOperation({ summary: 'Move a booking to another slot of the same centre and service (all or nothing)' })
  @ApiBody({ type: RescheduleDto })
  @ApiResponse({ status: 200, type: BookingDto })
  reschedule(@Param('reference') reference: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<BookingView> {
    return this.change.reschedule(reference, body, principal);
  }
}
