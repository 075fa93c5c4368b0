import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FallbackRepository, type FallbackTransaction } from '../../../core/transactions/fallback.repository';
import { ResolveConflict } from '../../../core/transactions/use-cases/resolve-conflict';
import { CurrentPrincipal, Roles, type Principal } from '../auth';
import { KIUNGO_RUNTIME, type KiungoRuntime } from '../runtime/runtime';
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
    @Inject(KIUNGO_RUNTIME) private readonly runtime: KiungoRuntime,
    private readonly fallbacks: FallbackRepository,
    private readonly resolveConflict: ResolveConflict,
  ) {}

  @Get()
  @Roles('manager', 'operator', 'admin', 'auditor')
  @ApiOperation({ summary: 'Open conflicts, oldest first (`?agency=&cursor=&limit=`)' })
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
      ...toFallbackView(record.id, record.serviceCode, facts, this.runtime.catalogue),
    };
  }
}
