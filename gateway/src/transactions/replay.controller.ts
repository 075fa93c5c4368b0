import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Catalogue } from '../../../contracts/src/catalogue';
import { toTransactionSummary, type TransactionSummary } from '../../../core/transactions/transaction.view';
import { ReplayParked } from '../../../core/transactions/use-cases/replay-parked';
import { CurrentPrincipal, Can, type Principal } from '../auth';
import { ApiProblemResponse } from '../docs/problem.schema';
import { ApiMessageResponse } from '../docs/message-schemas';
import { BulkReplayFilterDto, BulkReplayResultDto } from './fallback.dto';
import { transactionId } from './transaction-id';

/** Replay requests: parked transactions put back in their agency's replay backlog, one or by filter. */
@ApiTags('transactions')
@ApiBearerAuth()
@Controller('v1/transactions')
export class ReplayController {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly replayParked: ReplayParked,
  ) {}

  @Post('replay')
  @HttpCode(200)
  @Can('transaction.replay')
  @ApiOperation({ summary: 'Put parked transactions back in their agency replay backlog; body filter `{"agency", "service", "reason"}` (at most 500 per call)' })
  @ApiBody({ type: BulkReplayFilterDto, description: 'Every field optional; `{}` replays every parked transaction (500 per call)' })
  @ApiOkResponse({ type: BulkReplayResultDto })
  async replayMany(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<{ requeued: string[] }> {
    const filter = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const text = (key: string): string | undefined => (typeof filter[key] === 'string' ? (filter[key] as string) : undefined);
    return this.replayParked.bulk({ agency: text('agency'), service: text('service'), reason: text('reason') }, principal);
  }

  @Post(':id/replay')
  @HttpCode(200)
  @Can('transaction.replay')
  @ApiOperation({ summary: 'Put one parked transaction back in its agency replay backlog' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiMessageResponse(200, 'transaction-summary')
  @ApiProblemResponse(404, 'No such transaction')
  @ApiProblemResponse(409, '`not-replayable` (not parked) or `already-completed-manually`')
  @ApiProblemResponse(422, 'The id is not a UUID')
  async replayOne(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<TransactionSummary> {
    return toTransactionSummary(await this.replayParked.one(transactionId(id), principal), this.catalogue);
  }
}
