import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TRANSACTION_STATES } from '../../../core/transactions/domain/transaction';
import type { FastifyReply } from 'fastify';
import { DomainError } from '../../../core/shared/errors';
import { maskIdNumber, PersonalDataVault } from '../../../core/shared/personal-data';
import type { Citizen } from '../../../core/transactions/domain/transaction';
import { FallbackRepository, type FallbackTransaction } from '../../../core/transactions/fallback.repository';
import { RecordManualOutcome } from '../../../core/transactions/use-cases/record-manual-outcome';
import { ReplayParked } from '../../../core/transactions/use-cases/replay-parked';
import { CurrentPrincipal, Roles, type Principal } from '../auth';
import { Catalogue } from '../../../contracts/src/catalogue';
import { acknowledgmentHtml, acknowledgmentPdf, type AcknowledgmentFacts } from './acknowledgment';
import { ApiProblemResponse } from '../docs/problem.schema';
import { BulkReplayFilterDto, BulkReplayResultDto, FallbackTransactionDto, FallbackTransactionPageDto, ManualOutcomeDto, ManualOutcomeResultDto } from './fallback.dto';
import { toFallbackView } from './fallback.view';
import { encodeCursor, parseListQuery, type ListQuery } from './list-query';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function transactionId(id: string): string {
  if (!UUID.test(id)) {
    throw new DomainError('invalid', 'validation-failed', 'The transaction id is not valid.', {
      errors: [{ field: 'path:id', message: 'must be a transaction id (UUID)' }],
    });
  }
  return id.toLowerCase();
}

/** Manual fallback on transactions: acknowledgment, manual outcome, parked list and replay. */
@ApiTags('transactions')
@ApiBearerAuth()
@Controller('v1/transactions')
export class FallbackController {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly vault: PersonalDataVault,
    private readonly fallbacks: FallbackRepository,
    private readonly recordManualOutcome: RecordManualOutcome,
    private readonly replayParked: ReplayParked,
  ) {}

  @Get()
  @Roles('operator', 'manager', 'admin', 'auditor')
  @ApiOperation({ summary: 'Transactions in one state (e.g. `?state=parked`), oldest first, with cursor pagination (`?cursor=&limit=`); filters `agency`, `service`, `reason`' })
  @ApiQuery({ name: 'state', required: true, enum: TRANSACTION_STATES, example: 'parked' })
  @ApiQuery({ name: 'agency', required: false, type: String, example: 'nrb', description: 'Agency code' })
  @ApiQuery({ name: 'service', required: false, type: String, example: 'id-card-replacement', description: 'Service code' })
  @ApiQuery({ name: 'reason', required: false, type: String, example: 'misconfigured', description: 'Parked-reason code' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: '`nextCursor` of the previous page' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } })
  @ApiOkResponse({ type: FallbackTransactionPageDto })
  @ApiProblemResponse(422, 'Unknown state, limit out of range or a cursor not from a previous page (query fields named)')
  async list(@Query() query: ListQuery): Promise<{ items: unknown[]; nextCursor: string | null }> {
    const filter = parseListQuery(query);
    const rows = await this.fallbacks.list(filter);
    const last = rows.at(-1);
    return {
      items: rows.map((row) => this.summary(row)),
      nextCursor: last && rows.length === filter.limit ? encodeCursor(last.record.createdAt, last.record.id) : null,
    };
  }

  @Get(':id/acknowledgment')
  @Roles('channel', 'officer', 'manager', 'admin')
  @ApiOperation({ summary: 'The printable acknowledgment of a stored transaction: HTML, or PDF with `Accept: application/pdf` or `?format=pdf`' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiQuery({ name: 'format', required: false, enum: ['html', 'pdf'], description: 'Overrides the Accept header' })
  @ApiProduces('text/html', 'application/pdf')
  @ApiResponse({
    status: 200,
    description: 'The acknowledgment to print',
    content: { 'text/html': { schema: { type: 'string' } }, 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblemResponse(404, 'No such transaction, or it was not stored for later (no acknowledgment)')
  @ApiProblemResponse(422, 'The id is not a UUID')
  async acknowledgment(
    @Param('id') id: string,
    @Query('format') format: string | undefined,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | Buffer> {
    const tx = await this.fallbacks.find(transactionId(id));
    if (!tx?.facts.provisionalRef) throw new DomainError('not_found', 'acknowledgment-not-found', `Transaction ${id} has no acknowledgment (it was not stored for later).`);
    const service = this.catalogue.service(tx.record.serviceCode);
    const facts: AcknowledgmentFacts = {
      provisionalRef: tx.facts.provisionalRef,
      transactionId: tx.record.id,
      serviceName: service?.name ?? tx.record.serviceCode,
      agencyName: this.catalogue.agency(tx.record.agencyCode)?.name ?? tx.record.agencyCode,
      centre: tx.record.centreCode,
      idNumberMasked: maskIdNumber(this.vault.open<Citizen>(tx.record.citizenSealed).idNumber),
      receivedAt: tx.record.createdAt,
      instructions: tx.facts.fallback === 'manual' ? (service?.manualInstructions ?? null) : null,
    };
    if (format === 'pdf' || (format !== 'html' && accept?.includes('application/pdf'))) {
      reply.header('content-type', 'application/pdf');
      reply.header('content-disposition', `inline; filename="${facts.provisionalRef}.pdf"`);
      return acknowledgmentPdf(facts);
    }
    reply.header('content-type', 'text/html; charset=utf-8');
    return acknowledgmentHtml(facts);
  }

  @Post(':id/manual-outcome')
  @HttpCode(200)
  @Roles('officer', 'manager')
  @ApiOperation({ summary: 'Record the outcome of the paper process: `{"outcome": "completed", "agencyRef": "…", "note": "…"}`; officers of that centre and managers' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({ type: ManualOutcomeDto })
  @ApiOkResponse({ type: ManualOutcomeResultDto })
  @ApiProblemResponse(404, 'No such transaction')
  @ApiProblemResponse(409, '`outcome-not-recordable`: the transaction is not in manual or parked')
  @ApiProblemResponse(422, 'Bad id, unknown field, outcome not completed/rejected, agencyRef missing or malformed, note too long (fields named)')
  async manualOutcome(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<unknown> {
    const { kind, row } = await this.recordManualOutcome.execute(transactionId(id), body, principal);
    return { result: kind, ...this.summary(row) };
  }

  @Post('replay')
  @HttpCode(200)
  @Roles('operator', 'manager', 'admin')
  @ApiOperation({ summary: 'Put parked transactions back in their agency replay backlog; body filter `{"agency", "service", "reason"}` (at most 500 per call)' })
  @ApiBody({ type: BulkReplayFilterDto, description: 'Every field optional; `{}` replays every parked transaction (500 per call)' })
  @ApiOkResponse({ type: BulkReplayResultDto })
  async replayMany(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<{ requeued: string[] }> {
    const filter = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const text = (key: string): string | undefined => (typeof filter[key] === 'string' ? (filter[key] as string) : undefined);
    return this.replayParked.bulk({ agency: text('agency'), service: text('service'), reason: text('reason') }, principal.subject);
  }

  @Post(':id/replay')
  @HttpCode(200)
  @Roles('operator', 'manager', 'admin')
  @ApiOperation({ summary: 'Put one parked transaction back in its agency replay backlog' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: FallbackTransactionDto })
  @ApiProblemResponse(404, 'No such transaction')
  @ApiProblemResponse(409, '`not-replayable` (not parked) or `already-completed-manually`')
  @ApiProblemResponse(422, 'The id is not a UUID')
  async replayOne(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<unknown> {
    return this.summary(await this.replayParked.one(transactionId(id), principal.subject));
  }

  private summary(row: FallbackTransaction): Record<string, unknown> {
    const { record, facts } = row;
    return {
      id: record.id,
      service: record.serviceCode,
      agency: record.agencyCode,
      centre: record.centreCode,
      state: record.state,
      agencyReference: record.agencyRef,
      lastError: record.lastError,
      createdAt: record.createdAt.toISOString(),
      updatedAt: record.updatedAt.toISOString(),
      ...toFallbackView(record.id, record.serviceCode, facts, this.catalogue),
    };
  }
}
