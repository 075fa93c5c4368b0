import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponse } from '../docs/problem.schema';
import type { FastifyReply } from 'fastify';
import { GetTransaction } from '../../../core/transactions/use-cases/get-transaction';
import { SubmitTransaction } from '../../../core/transactions/use-cases/submit-transaction';
import { toTransactionView, type TransactionView } from '../../../core/transactions/transaction.view';
import { isFinalForCaller } from '../../../core/transactions/domain/attempt-outcome';
import { CorrelationIdService } from '../http/correlation-id';
import { CurrentPrincipal, Roles, type Principal } from '../auth';
import { IdempotencyInterceptor } from '../http/idempotency.interceptor';
import { DomainError } from '../../../core/shared/errors';
import { Catalogue } from '../../../contracts/src/catalogue';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { TransactionEnvelopeDto, TransactionViewDto } from './transaction.dto';
import { FallbackRepository } from '../../../core/transactions/fallback.repository';
import { toFallbackView, type FallbackView } from './fallback.view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@ApiTags('transactions')
@ApiBearerAuth()
@Controller('v1/transactions')
export class TransactionsController {
  constructor(
    private readonly submitTransaction: SubmitTransaction,
    private readonly getTransaction: GetTransaction,
    private readonly correlation: CorrelationIdService,
    private readonly catalogue: Catalogue,
    private readonly vault: PersonalDataVault,
    private readonly fallbacks: FallbackRepository,
  ) {}

  /** Provisional reference, instructions, manual outcome, parked reason, conflict: only for transactions that fell back. */
  private async withFallback<T extends { id: string; service: string; state: string }>(view: T): Promise<T & FallbackView> {
    if (view.state === 'received' || view.state === 'retrying' || view.state === 'dispatched') return view;
    const found = await this.fallbacks.find(view.id);
    return { ...view, ...toFallbackView(view.id, view.service, found?.facts, this.catalogue) };
  }

  @Post()
  @HttpCode(202)
  @Roles('channel', 'officer')
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({
    summary: 'Submit a transaction (one citizen request for one service)',
    description:
      'Recorded durably before the agency is called, then tried once inline. 200: the agency answered (state `completed` or `rejected`). ' +
      '202: accepted and still in progress (`retrying`, `dispatched`, `manual`) — follow `statusUrl`.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: 'Unique per request; a repeat returns the first response.' })
  @ApiBody({ type: TransactionEnvelopeDto })
  @ApiResponse({ status: 200, type: TransactionViewDto })
  @ApiResponse({ status: 202, type: TransactionViewDto })
  @ApiProblemResponse(422, 'Envelope or payload not valid for the service, Idempotency-Key missing or reused with another body (fields named)')
  @ApiProblemResponse(503, 'The agency is not taking applications and the service falls back to `reject` (Retry-After)')
  async submit(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransactionView & FallbackView & { statusUrl: string }> {
    const { transaction } = await this.submitTransaction.execute({
      body,
      submitter: principal,
      idempotencyKey,
      correlationId: this.correlation.get(),
    });
    const view = toTransactionView(transaction, this.vault);
    reply.status(isFinalForCaller(transaction.state) ? 200 : 202);
    reply.header('Location', `/v1/transactions/${transaction.id}`);
    return this.withFallback({ ...view, statusUrl: `/v1/transactions/${transaction.id}` });
  }

  @Get(':id')
  @Roles('channel', 'officer', 'manager', 'operator', 'auditor', 'agency', 'admin')
  @ApiOperation({ summary: 'A transaction: state, agency reference, attempts and history' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, type: TransactionViewDto })
  @ApiProblemResponse(404, 'No such transaction, or not visible to the caller (agency tokens see their own only)')
  @ApiProblemResponse(422, 'The id is not a UUID')
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<TransactionView & FallbackView> {
    if (!UUID.test(id)) {
      throw new DomainError('invalid', 'validation-failed', 'The transaction id is not valid.', {
        errors: [{ field: 'path:id', message: 'must be a transaction id (UUID)' }],
      });
    }
    return this.withFallback(await this.getTransaction.execute(id.toLowerCase(), principal));
  }
}
