import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Catalogue } from '../../../contracts/src/catalogue';
import { toTransactionSummary, type TransactionSummary } from '../../../core/transactions/transaction.view';
import { ListTransactions } from '../../../core/transactions/use-cases/list-transactions';
import { ResolveConflict } from '../../../core/transactions/use-cases/resolve-conflict';
import { CurrentPrincipal, Roles, type Principal } from '../auth';
import { ApiProblemResponse } from '../docs/problem.schema';
import { TransactionPageDto, TransactionSummaryDto } from '../transactions/fallback.dto';
import { parseListQuery, toPage, type ListQuery } from '../transactions/list-query';
import { transactionId } from '../transactions/transaction-id';
import { ResolveConflictDto } from './reconciliation.dto';

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
  @Roles('manager', 'operator', 'admin', 'auditor')
  @ApiOperation({ summary: 'Open conflicts, oldest first (`?agency=&cursor=&limit=`)' })
  @ApiQuery({ name: 'agency', required: false, type: String, example: 'nrb', description: 'Agency code' })
  @ApiQuery({ name: 'service', required: false, type: String, example: 'id-card-replacement', description: 'Service code' })
  @ApiQuery({ name: 'reason', required: false, type: String, example: 'misconfigured', description: 'Parked-reason code' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: '`nextCursor` of the previous page' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } })
  @ApiOkResponse({ type: TransactionPageDto, description: 'Transactions in state `conflict`, each with both outcomes' })
  @ApiProblemResponse(422, 'Limit out of range or a cursor not from a previous page (query fields named)')
  async list(@Query() query: Omit<ListQuery, 'state'>): Promise<{ items: TransactionSummary[]; nextCursor: string | null }> {
    return toPage(await this.listTransactions.page(parseListQuery({ ...query, state: 'conflict' })));
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Roles('manager')
  @ApiOperation({ summary: 'Resolve a conflict: `{"decision": "keep-agency" | "keep-manual", "note": "…"}`; audited' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({ type: ResolveConflictDto })
  @ApiOkResponse({ type: TransactionSummaryDto, description: 'The transaction in its settled state' })
  @ApiProblemResponse(404, 'No such transaction')
  @ApiProblemResponse(409, '`not-in-conflict`')
  @ApiProblemResponse(422, 'Bad id, or decision not keep-agency/keep-manual')
  async resolve(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<TransactionSummary> {
    return toTransactionSummary(await this.resolveConflict.execute(transactionId(id), body, principal.subject), this.catalogue);
  }
}
