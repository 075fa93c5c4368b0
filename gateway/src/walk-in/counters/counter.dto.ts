import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI description only. */
export class CounterSessionDto {
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ example: 'NRB-GPO' }) centre!: string;
  @ApiProperty({ example: '1' }) counter!: string;
  @ApiProperty({ description: 'Subject of the officer' }) officer!: string;
  @ApiProperty({ format: 'date-time' }) openedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) closedAt!: string | null;
  @ApiProperty({ description: 'Whole seconds between open and close (or now, while open)' }) seconds!: number;
}
