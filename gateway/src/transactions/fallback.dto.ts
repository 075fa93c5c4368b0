import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TRANSACTION_STATES } from '../../../core/transactions/domain/transaction';

/** OpenAPI description only: bodies are validated by RecordManualOutcome and ReplayParked in core/transactions/use-cases. */
export class ManualOutcomeDto {
  @ApiProperty({ enum: ['completed', 'rejected'] }) outcome!: string;
  @ApiPropertyOptional({
    pattern: '^[A-Za-z0-9][A-Za-z0-9/._-]{0,63}$',
    example: 'NRB-2026-000123',
    description: "The agency's reference from the paper process; required when `outcome` is `completed`",
  })
  agencyRef?: string;
  @ApiPropertyOptional({ maxLength: 1000, description: 'Free text; kept on the transaction, not in the audit log' }) note?: string;
}

export class BulkReplayFilterDto {
  @ApiPropertyOptional({ example: 'nrb', description: 'Only parked transactions of this agency' }) agency?: string;
  @ApiPropertyOptional({ example: 'id-card-replacement', description: 'Only this service' }) service?: string;
  @ApiPropertyOptional({ example: 'misconfigured', description: 'Only this parked-reason code' }) reason?: string;
}

export class BulkReplayResultDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'Ids put back in their agency replay backlog (at most 500 per call)' })
  requeued!: string[];
}

/** A transaction in a list (parked, conflicts) or in the answer to an operator's action: no citizen, no history. */
export class TransactionSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() service!: string;
  @ApiProperty() agency!: string;
  @ApiProperty({ nullable: true, type: String }) centre!: string | null;
  @ApiProperty({ enum: TRANSACTION_STATES }) state!: string;
  @ApiProperty({ nullable: true, type: String }) agencyReference!: string | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: 'code, reason' })
  lastError!: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiPropertyOptional({ enum: ['store-and-forward', 'manual'], nullable: true }) fallback?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'NRB-7K4Q-2P' }) provisionalReference?: string | null;
  @ApiPropertyOptional() manualInstructions?: string;
  @ApiPropertyOptional({ example: '/v1/transactions/{id}/acknowledgment' }) acknowledgmentUrl?: string;
  @ApiPropertyOptional() replayPending?: boolean;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'outcome, agencyRef, note, by, at' }) manualOutcome?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'code, reason, at' }) parkedReason?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Both outcomes and, once resolved, the decision' })
  conflict?: Record<string, unknown>;
}

export class TransactionPageDto {
  @ApiProperty({ type: [TransactionSummaryDto] }) items!: TransactionSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page' }) nextCursor!: string | null;
}

export class ManualOutcomeResultDto extends TransactionSummaryDto {
  @ApiProperty({ enum: ['recorded', 'conflict'], description: '`conflict` when the replay had reached the agency too (see /v1/reconciliation)' })
  result!: string;
}
