import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI description only: the body is checked by GiveFeedback (core/walk-in/use-cases/give-feedback.ts). */
export class FeedbackReceiptDto {
  @ApiProperty({ format: 'uuid' }) ticketId!: string;
  @ApiProperty({ example: 'A042' }) number!: string;
  @ApiProperty({ minimum: 1, maximum: 5 }) rating!: number;
  @ApiProperty({ format: 'date-time' }) givenAt!: string;
}
