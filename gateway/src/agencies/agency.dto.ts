import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AGENCY_MODES } from '../../../core/agencies/domain/agency-mode';

/** OpenAPI description only: the body is validated by SetAgencyMode (core/agencies/use-cases/set-agency-mode.ts). */
class MaintenanceWindowDto {
  @ApiProperty({ format: 'date-time', example: '2026-11-22T18:00:00Z' }) start!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-22T22:00:00Z', description: 'After `start`' }) end!: string;
}

export class AgencyModeChangeDto {
  @ApiProperty({ enum: AGENCY_MODES, example: 'manual' }) mode!: string;
  @ApiProperty({ minLength: 3, maxLength: 500, example: 'NRB system down since 09:10', description: 'Why; kept in the audit log' }) reason!: string;
  @ApiPropertyOptional({ type: MaintenanceWindowDto, description: 'Required for `maintenance`, refused for the other modes' })
  window?: MaintenanceWindowDto;
}

class AgencyModeSettingDto {
  @ApiProperty({ enum: AGENCY_MODES, description: 'What is stored' }) mode!: string;
  @ApiProperty({ enum: [...AGENCY_MODES, 'degraded'], description: 'What applies now' }) effectiveMode!: string;
  @ApiProperty() degraded!: boolean;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ nullable: true, type: MaintenanceWindowDto }) window!: MaintenanceWindowDto | null;
  @ApiProperty({ nullable: true, type: String }) changedBy!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) changedAt!: string | null;
}

class ReplayProgressDto {
  @ApiProperty() paused!: boolean;
  @ApiProperty({ description: 'Absent in the list view' }) perSecond!: number;
  @ApiProperty({ description: 'Stored transactions waiting to be replayed' }) backlog!: number;
  @ApiPropertyOptional() replayed?: number;
  @ApiPropertyOptional() failed?: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Seconds until the backlog is drained; null when there is none' })
  etaSeconds?: number | null;
}

class RetryQueueDepthDto {
  @ApiProperty() waiting!: number;
  @ApiProperty() delayed!: number;
  @ApiProperty() active!: number;
}

class OpenTransactionCountsDto {
  @ApiProperty() received!: number;
  @ApiProperty() dispatched!: number;
  @ApiProperty() retrying!: number;
  @ApiProperty() manual!: number;
  @ApiProperty() parked!: number;
  @ApiProperty() conflict!: number;
}

export class AgencyDto {
  @ApiProperty({ example: 'nrb' }) code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'rest', description: 'Adapter kind' }) kind!: string;
  @ApiProperty({ enum: [...AGENCY_MODES, 'degraded'], description: 'The effective mode' }) mode!: string;
  @ApiProperty({ type: AgencyModeSettingDto }) modeSetting!: AgencyModeSettingDto;
  @ApiProperty({ enum: ['closed', 'open', 'half_open'] }) breaker!: string;
  @ApiProperty() inFlight!: number;
  @ApiProperty() queued!: number;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) lastFailure!: Record<string, unknown> | null;
  @ApiProperty({ type: RetryQueueDepthDto }) retryQueue!: RetryQueueDepthDto;
  @ApiProperty({ type: OpenTransactionCountsDto }) transactions!: OpenTransactionCountsDto;
  @ApiProperty({ type: ReplayProgressDto }) replay!: ReplayProgressDto;
  @ApiProperty({ type: [String] }) services!: string[];
}

export class AgencyListDto {
  @ApiProperty({ type: [AgencyDto] }) items!: AgencyDto[];
}
