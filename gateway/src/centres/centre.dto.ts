import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI description only: bodies are validated in the core use cases. */
class OpeningHoursDto {
  @ApiProperty({ minimum: 1, maximum: 7, description: 'ISO weekday, 1 = Monday' }) weekday!: number;
  @ApiProperty({ example: '08:00', description: 'Local time in the centre time zone' }) opens!: string;
  @ApiProperty({ example: '17:00' }) closes!: string;
}

class HolidayDto {
  @ApiProperty({ example: '2026-12-12' }) date!: string;
  @ApiProperty({ example: 'Jamhuri Day' }) name!: string;
}

class CentreServiceInDto {
  @ApiProperty({ example: 'id-card-replacement' }) service!: string;
  @ApiPropertyOptional({ example: 'A', description: 'Letter of walk-in ticket numbers' }) ticketLetter?: string;
  @ApiPropertyOptional({ example: 10, description: 'Appointments per slot; 0 = walk-in only' }) slotCapacity?: number;
}

class CounterDto {
  @ApiProperty({ example: '1' }) code!: string;
  @ApiProperty({ example: 'Counter 1' }) name!: string;
  @ApiProperty({ type: [String] }) services!: string[];
}

export class CentreDefinitionDto {
  @ApiProperty({ example: 'Huduma Centre GPO' }) name!: string;
  @ApiProperty({ example: 'Nairobi' }) county!: string;
  @ApiPropertyOptional({ example: 'Africa/Nairobi' }) timeZone?: string;
  @ApiPropertyOptional({ example: 30 }) slotMinutes?: number;
  @ApiPropertyOptional({ example: 30 }) bookingHorizonDays?: number;
  @ApiPropertyOptional({ example: 15 }) noShowGraceMinutes?: number;
  @ApiProperty({ type: [OpeningHoursDto] }) openingHours!: OpeningHoursDto[];
  @ApiPropertyOptional({ type: [HolidayDto] }) holidays?: HolidayDto[];
  @ApiPropertyOptional({ type: [CentreServiceInDto] }) services?: CentreServiceInDto[];
  @ApiPropertyOptional({ type: [CounterDto] }) counters?: CounterDto[];
}

class CentreServiceDto {
  @ApiProperty() serviceCode!: string;
  @ApiProperty({ nullable: true, type: String }) ticketLetter!: string | null;
  @ApiProperty() slotCapacity!: number;
}

export class CentreDto {
  @ApiProperty({ example: 'NRB-GPO' }) code!: string;
  @ApiProperty() name!: string;
  @ApiProperty() county!: string;
  @ApiProperty() timeZone!: string;
  @ApiProperty() slotMinutes!: number;
  @ApiProperty() bookingHorizonDays!: number;
  @ApiProperty() noShowGraceMinutes!: number;
  @ApiProperty({ type: [OpeningHoursDto] }) openingHours!: OpeningHoursDto[];
  @ApiProperty({ type: [HolidayDto] }) holidays!: HolidayDto[];
  @ApiProperty({ type: [CentreServiceDto] }) services!: CentreServiceDto[];
  @ApiProperty({ type: [CounterDto] }) counters!: CounterDto[];
}

export class CapacityDto {
  @ApiProperty({ example: 'id-card-replacement' }) service!: string;
  @ApiProperty({ example: 20 }) slotCapacity!: number;
}

export class CentreSummaryDto {
  @ApiProperty({ example: 'NRB-GPO' }) code!: string;
  @ApiProperty() name!: string;
  @ApiProperty() county!: string;
  @ApiProperty({ example: 'Africa/Nairobi' }) timeZone!: string;
  @ApiProperty({ description: 'Number of services offered' }) services!: number;
  @ApiProperty({ description: 'Number of counters' }) counters!: number;
}

export class CentreListDto {
  @ApiProperty({ type: [CentreSummaryDto] }) items!: CentreSummaryDto[];
}
