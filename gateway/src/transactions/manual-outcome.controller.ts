import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Catalogue } from '../../../contracts/src/catalogue';
import { toTransactionSummary, type TransactionSummary } from '../../../core/transactions/transaction.view';
import { RecordManualOutcome } from '../../../core/transactions/use-cases/record-manual-outcome';
import { CurrentPrincipal, Roles, type Principal } from '../auth';
import { ApiProblemResponse } from '../docs/problem.schema';
import { ManualOutcomeDto, ManualOutcomeResultDto } from './fallback.dto';
import { transactionId } from './transaction-id';

/** The outcome of the paper process, recorded by an officer for a transaction handled by hand. */
@ApiTags('transactions')
@ApiBearerAuth()
@Controller('v1/transactions/:id/manual-outcome')
export class ManualOutcomeController {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly recordManualOutcome: RecordManualOutcome,
  ) {}

  @Post()
  @HttpCode(200)
  @Roles('officer', 'manager')
  @ApiOperation({ summary: 'Record the outcome of the paper process: `{"outcome": "completed", "agencyRef": "…", "note": "…"}`; officers of that centre and managers' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({ type: ManualOutcomeDto })
  @ApiOkResponse({ type: ManualOutcomeResultDto })
  @ApiProblemResponse(404, 'No such transaction')
  @ApiProblemResponse(409, '`outcome-not-recordable`: the transaction is not in manual or parked')
  @ApiProblemResponse(422, 'Bad id, unknown field, outcome not completed/rejected, agencyRef missing or malformed, note too long (fields named)')
  async record(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TransactionSummary & { result: 'recorded' | 'conflict' }> {
    const { kind, transaction } = await this.recordManualOutcome.execute(transactionId(id), body, principal);
    return { result: kind, ...toTransactionSummary(transaction, this.catalogue) };
  }
}
