import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI description only: the shapes of core/walk-in/domain/kpi.ts. Times in seconds. */
class StatDto {
  @ApiProperty() count!: number;
  @ApiProperty({ nullable: true, type: Number }) mean!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Continuous 90th percentile' }) p90!: number | null;
}

class SatisfactionDto {
  @ApiProperty() responses!: number;
  @ApiProperty({ nullable: true, type: Number, minimum: 1, maximum: 5 }) meanRating!: number | null;
}

class FiguresDto {
  @ApiProperty() ticketsIssued!: number;
  @ApiProperty() walkIns!: number;
  @ApiProperty({ description: 'Checked-in appointments' }) bookings!: number;
  @ApiProperty() served!: number;
  @ApiProperty() noShows!: number;
  @ApiProperty({ type: StatDto }) waitingSeconds!: StatDto;
  @ApiProperty({ type: StatDto }) serviceSeconds!: StatDto;
  @ApiProperty({ type: SatisfactionDto }) satisfaction!: SatisfactionDto;
}

class StaffedFiguresDto extends FiguresDto {
  @ApiProperty() sessionSeconds!: number;
  @ApiProperty() idleSeconds!: number;
}

class HourFiguresDto extends FiguresDto {
  @ApiProperty({ minimum: 0, maximum: 23, description: 'Local hour' }) hour!: number;
}

class CounterKpisDto extends StaffedFiguresDto {
  @ApiProperty({ example: '1' }) counter!: string;
  @ApiProperty({ type: [HourFiguresDto] }) hours!: HourFiguresDto[];
}

class OfficerKpisDto {
  @ApiProperty() officer!: string;
  @ApiProperty() sessionSeconds!: number;
  @ApiProperty() idleSeconds!: number;
  @ApiProperty() served!: number;
  @ApiProperty({ type: StatDto }) serviceSeconds!: StatDto;
  @ApiProperty({ type: SatisfactionDto }) satisfaction!: SatisfactionDto;
}

export class CentreDayKpisDto {
  @ApiProperty({ example: 'NRB-GPO' }) centre!: string;
  @ApiProperty({ format: 'date', example: '2026-11-24' }) date!: string;
  @ApiProperty({ example: 'Africa/Nairobi' }) timeZone!: string;
  @ApiProperty({ type: StaffedFiguresDto }) day!: StaffedFiguresDto;
  @ApiProperty({ type: [CounterKpisDto] }) counters!: CounterKpisDto[];
  @ApiProperty({ type: [OfficerKpisDto] }) officers!: OfficerKpisDto[];
}

class DayFiguresDto extends StaffedFiguresDto {
  @ApiProperty({ format: 'date' }) date!: string;
}

class CentreRangeKpisDto {
  @ApiProperty() centre!: string;
  @ApiProperty({ type: StaffedFiguresDto }) total!: StaffedFiguresDto;
  @ApiProperty({ type: [DayFiguresDto] }) days!: DayFiguresDto[];
}

export class RangeKpisDto {
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
  @ApiProperty({ type: StaffedFiguresDto }) total!: StaffedFiguresDto;
  @ApiProperty({ type: [CentreRangeKpisDto] }) centres!: CentreRangeKpisDto[];
}
