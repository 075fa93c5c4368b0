import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Catalogue } from '../../../contracts/src/catalogue';
import type { ConflictResolution, ReconciliationQuery, TransactionPage, TransactionSummary } from '../../../contracts/src/message.types';
import { toTransactionSummary } from '../../../core/transactions/transaction.view';
import { ListTransactions } from '../../../core/transactions/use-cases/list-transactions';
import { ResolveConflict } from '../../../core/transactions/use-cases/resolve-conflict';
import { CurrentPrincipal, Can, type Principal } from '../auth';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ApiProblemResponse } from '../docs/problem.schema';
import { ValidBody } from '../http/valid-body';
import { ValidQuery } from '../http/valid-query';
import { listFilter, toPage } from '../transactions/list-query';
import { transactionId } from '../transactions/transaction-id';

/**
 * Conflicts: a transaction with both a paper outcome and an agency outcome (a replay reached the
 * agency too), or with an agency reference another transaction holds. Listed for managers, never
 * merged silently; resolving one is audited.
 */
@ApiTags('reconciliation')
@ApiBearerAuth()
@Controller('v1/reconciliation')
export class ReconciliationController {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly listTransactions: ListTransactions,
    private readonly resolveConflict: ResolveConflict,
  ) {}

  @Get()
  @Can('transaction.list')
  @ApiOperation({ summary: 'Open conflicts, oldest first (`?agency=&cursor=&limit=`)' })
  @ApiMessageResponse(200, 'transaction-page', 'Transactions in state `conflict`, each with both outcomes')
  @ApiProblemResponse(422, 'Limit out of range or a cursor not from a previous page (query fields named)')
  async list(@ValidQuery('reconciliation-query') query: ReconciliationQuery, @CurrentPrincipal() principal: Principal): Promise<TransactionPage> {
    return toPage(await this.listTransactions.page(listFilter({ ...query, state: 'conflict' }), principal));
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Can('conflict.resolve')
  @ApiOperation({ summary: 'Resolve a conflict: `{"decision": "keep-agency" | "keep-manual", "note": "…"}`; audited' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiMessageResponse(200, 'transaction-summary', 'The transaction in its settled state')
  @ApiProblemResponse(404, 'No such transaction')
  @ApiProblemResponse(409, '`not-in-conflict`')
  @ApiProblemResponse(422, 'Bad id, decision not keep-agency/keep-manual, note over 1000 characters (fields named)')
  async resolve(
    @Param('id') id: string,
    @ValidBody('conflict-resolution') resolution: ConflictResolution,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TransactionSummary> {
    return toTransactionSummary(await this.resolveConflict.execute(transactionId(id), resolution, principal), this.catalogue);
  }
}
