import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Catalogue } from '../../../contracts/src/catalogue';
import { toTransactionSummary, type TransactionSummary } from '../../../core/transactions/transaction.view';
import { ReplayParked } from '../../../core/transactions/use-cases/replay-parked';
import { CurrentPrincipal, Can, type Principal } from '../auth';
import { ApiProblemResponse } from '../docs/problem.schema';
import { ApiMessageResponse } from '../docs/message-schemas';
import { transactionId } from './transaction-id';

/** Replay requests: a parked transaction put back in its agency's replay backlog (many at once: /v1/replay-tasks). */
@ApiTags('transactions')
@ApiBearerAuth()
@Controller('v1/transactions')
export class ReplayController {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly replayParked: ReplayParked,
  ) {}

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
