import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI description only: the body is validated by ResolveConflict (core/transactions/use-cases/resolve-conflict.ts). */
export class ResolveConflictDto {
  @ApiProperty({ enum: ['keep-agency', 'keep-manual'] }) decision!: string;
  @ApiPropertyOptional({ maxLength: 1000, description: 'Longer notes are cut at 1000 characters' }) note?: string;
}
