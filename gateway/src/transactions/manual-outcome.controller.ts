import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Catalogue } from '../../../contracts/src/catalogue';
import type { ManualOutcome, ManualOutcomeResult } from '../../../contracts/src/message.types';
import { toTransactionSummary } from '../../../core/transactions/transaction.view';
import { RecordManualOutcome } from '../../../core/transactions/use-cases/record-manual-outcome';
import { CurrentPrincipal, Can, type Principal } from '../auth';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ApiProblemResponse } from '../docs/problem.schema';
import { ValidBody } from '../http/valid-body';
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
  @Can('transaction.record-outcome')
  @ApiOperation({ summary: 'Record the outcome of the paper process: `{"outcome": "completed", "agencyRef": "…", "note": "…"}`; officers of that centre and managers' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiMessageResponse(200, 'manual-outcome-result')
  @ApiProblemResponse(404, 'No such transaction')
  @ApiProblemResponse(409, '`outcome-not-recordable`: the transaction is not in manual or parked')
  @ApiProblemResponse(422, 'Bad id, unknown field, outcome not completed/rejected, agencyRef missing or malformed, note too long (fields named)')
  async record(
    @Param('id') id: string,
    @ValidBody('manual-outcome') outcome: ManualOutcome,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ManualOutcomeResult> {
    const { kind, transaction } = await this.recordManualOutcome.execute(transactionId(id), outcome, principal);
    return { result: kind, ...toTransactionSummary(transaction, this.catalogue) };
  }
}
