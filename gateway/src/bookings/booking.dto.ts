import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI description only: bodies are validated in the core use cases. */
class BookingCitizenDto {
  @ApiProperty({ example: '12345678', description: 'National ID (7–8 digits); sealed at rest, shown masked' }) idNumber!: string;
  @ApiProperty({ example: '+254712345678', description: 'Kenyan mobile; confirmations and reminders go here by SMS' }) phone!: string;
}

export class NewBookingDto {
  @ApiProperty({ example: 'NRB-GPO' }) centre!: string;
  @ApiProperty({ example: 'id-card-replacement' }) service!: string;
  @ApiProperty({ example: '2026-11-24T09:30:00+03:00', description: 'Start of a free slot from GET /v1/centres/{code}/slots' }) slotStart!: string;
  @ApiProperty({ type: BookingCitizenDto }) citizen!: BookingCitizenDto;
  @ApiProperty({ enum: ['portal', 'mobile', 'ussd', 'call-centre', 'counter', 'kiosk', 'outreach'] }) channel!: string;
}

export class RescheduleDto {
  @ApiProperty({ example: '2026-11-25T10:00:00+03:00' }) slotStart!: string;
}

export class BookingDto {
  @ApiProperty({ example: 'K7QM-4X3P' }) reference!: string;
  @ApiProperty() centre!: string;
  @ApiProperty() service!: string;
  @ApiProperty() slotStart!: string;
  @ApiProperty() slotEnd!: string;
  @ApiProperty({ example: '2026-11-24' }) date!: string;
  @ApiProperty({ enum: ['booked', 'checked_in', 'cancelled', 'no_show'] }) status!: string;
  @ApiProperty() channel!: string;
  @ApiProperty({ type: BookingCitizenDto }) citizen!: BookingCitizenDto;
  @ApiProperty() reschedules!: number;
  @ApiProperty({ nullable: true, type: String }) checkedInAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) cancelledAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) noShowAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

class FreeSlotDto {
  @ApiProperty() start!: string;
  @ApiProperty() end!: string;
  @ApiProperty() capacity!: number;
  @ApiProperty() available!: number;
}

export class FreeSlotsDto {
  @ApiProperty() centre!: string;
  @ApiProperty() service!: string;
  @ApiProperty() date!: string;
  @ApiProperty() timeZone!: string;
  @ApiProperty({ required: false, enum: ['holiday', 'closed'] }) closed?: string;
  @ApiProperty({ type: [FreeSlotDto] }) slots!: FreeSlotDto[];
}

export class BookingListDto {
  @ApiProperty({ type: [BookingDto] }) items!: BookingDto[];
}
