import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponse } from '../docs/problem.schema';
import { FallbackTransactionDto, FallbackTransactionPageDto } from '../transactions/fallback.dto';
import { ResolveConflictDto } from './reconciliation.dto';
import { FallbackRepository, type FallbackTransaction } from '../../../core/transactions/fallback.repository';
import { ResolveConflict } from '../../../core/transactions/use-cases/resolve-conflict';
import { CurrentPrincipal, Roles, type Principal } from '../auth';
import { Catalogue } from '../../../contracts/src/catalogue';
import { toFallbackView } from '../transactions/fallback.view';
import { transactionId } from '../transactions/fallback.controller';
import { encodeCursor, parseListQuery, type ListQuery } from '../transactions/list-query';

/**
 * Conflicts: a transaction with both a paper outcome and an agency outcome (a replay reached the
 * agency too). Listed for managers, never merged silently; resolving one is audited.
 */
@ApiTags('reconciliation')
@ApiBearerAuth()
@Controller('v1/reconciliation')
export class ReconciliationController {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly fallbacks: FallbackRepository,
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
  @ApiOkResponse({ type: FallbackTransactionPageDto, description: 'Transactions in state `conflict`, each with both outcomes' })
  @ApiProblemResponse(422, 'Limit out of range or a cursor not from a previous page (query fields named)')
  async list(@Query() query: Omit<ListQuery, 'state'>): Promise<{ items: unknown[]; nextCursor: string | null }> {
    const filter = parseListQuery({ ...query, state: 'conflict' });
    const rows = await this.fallbacks.list(filter);
    const last = rows.at(-1);
    return {
      items: rows.map((row) => this.view(row)),
      nextCursor: last && rows.length === filter.limit ? encodeCursor(last.record.createdAt, last.record.id) : null,
    };
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Roles('manager')
  @ApiOperation({ summary: 'Resolve a conflict: `{"decision": "keep-agency" | "keep-manual", "note": "…"}`; audited' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({ type: ResolveConflictDto })
  @ApiOkResponse({ type: FallbackTransactionDto, description: 'The transaction in its settled state' })
  @ApiProblemResponse(404, 'No such transaction')
  @ApiProblemResponse(409, '`not-in-conflict`')
  @ApiProblemResponse(422, 'Bad id, or decision not keep-agency/keep-manual')
  async resolve(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<unknown> {
    return this.view(await this.resolveConflict.execute(transactionId(id), body, principal.subject));
  }

  private view({ record, facts }: FallbackTransaction): Record<string, unknown> {
    return {
      id: record.id,
      service: record.serviceCode,
      agency: record.agencyCode,
      centre: record.centreCode,
      state: record.state,
      agencyReference: record.agencyRef,
      createdAt: record.createdAt.toISOString(),
      ...toFallbackView(record.id, record.serviceCode, facts, this.catalogue),
    };
  }
}
