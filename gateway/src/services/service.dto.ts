import { ApiProperty } from '@nestjs/swagger';

/** OpenAPI description only. */
export class ServiceSummaryDto {
  @ApiProperty({ example: 'id-card-replacement' }) code!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ example: 'nrb', description: 'Agency code' }) agency!: string;
  @ApiProperty({ enum: ['store-and-forward', 'manual', 'reject'], description: 'What happens when the agency is not in auto mode' }) fallback!: string;
  @ApiProperty({ description: 'Offered by appointment' }) bookable!: boolean;
  @ApiProperty({ example: 100 }) feeKes!: number;
}

export class ServiceListDto {
  @ApiProperty({ type: [ServiceSummaryDto] }) items!: ServiceSummaryDto[];
}

export class ServiceDetailDto extends ServiceSummaryDto {
  @ApiProperty({ description: 'The paper process, for the `manual` fallback' }) manualInstructions!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema of the envelope `payload` for this service' })
  requestSchema!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: "JSON Schema of the agency's result" })
  responseSchema!: Record<string, unknown> | null;
}
