import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI description only: the body is validated by the contract schemas (ajv), not by these classes. */
class CitizenDto {
  @ApiProperty({ example: '12345678', description: 'Kenyan national ID number (7–8 digits); stored sealed, shown masked.' })
  idNumber!: string;
  @ApiPropertyOptional({ example: '+254712345678' })
  phone?: string;
  @ApiPropertyOptional({ example: 'Wanjiku Kamau' })
  name?: string;
}

export class TransactionEnvelopeDto {
  @ApiProperty({ example: 'id-card-replacement', description: 'Service code from GET /v1/services' })
  service!: string;
  @ApiProperty({ enum: ['counter', 'portal', 'mobile', 'ussd', 'call-centre', 'outreach', 'kiosk'] })
  channel!: string;
  @ApiPropertyOptional({ example: 'NRB-GPO', description: 'Centre code; an officer may only submit for their own centre' })
  centre?: string;
  @ApiPropertyOptional()
  officer?: string;
  @ApiProperty({ type: CitizenDto })
  citizen!: CitizenDto;
  @ApiProperty({ type: 'object', additionalProperties: true, description: "Validated against the service's request schema (GET /v1/services/{code})" })
  payload!: Record<string, unknown>;
}

class HistoryEntryDto {
  @ApiProperty() type!: string;
  @ApiProperty() at!: string;
  @ApiProperty() actor!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
}

export class TransactionViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() service!: string;
  @ApiProperty() agency!: string;
  @ApiProperty() channel!: string;
  @ApiProperty({ nullable: true, type: String }) centre!: string | null;
  @ApiProperty({ enum: ['received', 'dispatched', 'retrying', 'completed', 'rejected', 'manual', 'completed_manually', 'cancelled', 'parked', 'conflict'] })
  state!: string;
  @ApiProperty({ nullable: true, type: String }) agencyReference!: string | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) result!: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) lastError!: { code: string; reason: string } | null;
  @ApiProperty() attempts!: number;
  @ApiProperty() maxAttempts!: number;
  @ApiProperty({ nullable: true, type: String, description: 'received/retrying: when the next attempt is due; dispatched: when the wait for the agency\'s answer ends' })
  nextAttemptAt!: string | null;
  @ApiProperty({ type: CitizenDto }) citizen!: CitizenDto;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiPropertyOptional({ type: [HistoryEntryDto] }) history?: HistoryEntryDto[];
  @ApiPropertyOptional() statusUrl?: string;
  @ApiPropertyOptional({ enum: ['store-and-forward', 'manual'], description: 'Set when the agency was not in auto mode and this fallback policy took the transaction' })
  fallback?: string;
  @ApiPropertyOptional({ example: 'NRB-7K4Q-2P', description: 'Printable provisional reference of a stored transaction' })
  provisionalReference?: string;
  @ApiPropertyOptional({ description: 'Paper-process instructions (fallback `manual`)' }) manualInstructions?: string;
  @ApiPropertyOptional({ example: '/v1/transactions/{id}/acknowledgment' }) acknowledgmentUrl?: string;
  @ApiPropertyOptional({ description: 'True while a stored transaction waits to be replayed to its agency' }) replayPending?: boolean;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'What the officer recorded: outcome, agencyRef, note, by, at' })
  manualOutcome?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Why the replay needs a person: code, reason, at' })
  parkedReason?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Both outcomes of a conflict and, once resolved, the decision' })
  conflict?: Record<string, unknown>;
}
