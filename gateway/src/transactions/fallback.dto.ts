import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI description only: the bulk-replay body is read by ReplayController (being turned into a task API). */
export class BulkReplayFilterDto {
  @ApiPropertyOptional({ example: 'nrb', description: 'Only parked transactions of this agency' }) agency?: string;
  @ApiPropertyOptional({ example: 'id-card-replacement', description: 'Only this service' }) service?: string;
  @ApiPropertyOptional({ example: 'misconfigured', description: 'Only this parked-reason code' }) reason?: string;
}

export class BulkReplayResultDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'Ids put back in their agency replay backlog (at most 500 per call)' })
  requeued!: string[];
}
