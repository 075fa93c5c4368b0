import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI description only. */
export class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status!: string;
  @ApiProperty({ enum: ['api', 'worker', 'all'], description: 'Which process answers' }) role!: string;
}

class CheckDto {
  @ApiProperty({ enum: ['up', 'down'] }) status!: string;
  @ApiProperty() latencyMs!: number;
  @ApiPropertyOptional({ description: 'Why it is down (timeout, connection refused); never request data' }) detail?: string;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ready', 'not_ready'] }) status!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/CheckDto' },
    description: '`database` always; `redis` when configured',
    example: { database: { status: 'up', latencyMs: 1 } },
  })
  checks!: Record<string, CheckDto>;
}

/** Registered so that the `$ref` above resolves (ApiExtraModels in the controller). */
export { CheckDto };
