import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { IdempotentRequest } from '../../../core/idempotency/domain/idempotent-request';
import { isFinalForCaller, TRANSACTION_STATES } from '../../../core/transactions/domain/transaction';
import { toTransactionView, type TransactionSummary, type TransactionView } from '../../../core/transactions/transaction.view';
import { GetTransaction } from '../../../core/transactions/use-cases/get-transaction';
import { ListTransactions } from '../../../core/transactions/use-cases/list-transactions';
import { SubmitTransaction } from '../../../core/transactions/use-cases/submit-transaction';
import { CurrentPrincipal, Roles, type Principal } from '../auth';
import { ApiProblemResponse } from '../docs/problem.schema';
import { Idempotency, IdempotencyInterceptor } from '../http/idempotency.interceptor';
import { Catalogue } from '../../../contracts/src/catalogue';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { TransactionPageDto } from './fallback.dto';
import { parseListQuery, toPage, type ListQuery } from './list-query';
import { TransactionEnvelopeDto, TransactionViewDto } from './transaction.dto';
import { transactionId } from './transaction-id';

/** The transactions resource: submit, list by state, read one. */
@ApiTags('transactions')
@ApiBearerAuth()
@Controller('v1/transactions')
export class TransactionsController {
  constructor(
    private readonly submitTransaction: SubmitTransaction,
    private readonly getTransaction: GetTransaction,
    private readonly listTransactions: ListTransactions,
    private readonly catalogue: Catalogue,
    private readonly vault: PersonalDataVault,
  ) {}

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
    @Idempotency() idempotency: IdempotentRequest,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TransactionView & { statusUrl: string }> {
    const { transaction } = await this.submitTransaction.execute({
      body,
      submitter: principal,
      idempotency,
      // Fastify's request id is the correlation id (create-http-app.ts), passed on explicitly.
      correlationId: reply.request.id,
    });
    reply.status(isFinalForCaller(transaction.state) ? 200 : 202);
    reply.header('Location', `/v1/transactions/${transaction.id}`);
    return { ...toTransactionView(transaction, this.vault, this.catalogue), statusUrl: `/v1/transactions/${transaction.id}` };
  }

  @Get()
  @Roles('operator', 'manager', 'admin', 'auditor')
  @ApiOperation({ summary: 'Transactions in one state (e.g. `?state=parked`), oldest first, with cursor pagination (`?cursor=&limit=`); filters `agency`, `service`, `reason`' })
  @ApiQuery({ name: 'state', required: true, enum: TRANSACTION_STATES, example: 'parked' })
  @ApiQuery({ name: 'agency', required: false, type: String, example: 'nrb', description: 'Agency code' })
  @ApiQuery({ name: 'service', required: false, type: String, example: 'id-card-replacement', description: 'Service code' })
  @ApiQuery({ name: 'reason', required: false, type: String, example: 'misconfigured', description: 'Parked-reason code' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: '`nextCursor` of the previous page' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } })
  @ApiOkResponse({ type: TransactionPageDto })
  @ApiProblemResponse(422, 'Unknown state, limit out of range or a cursor not from a previous page (query fields named)')
  async list(@Query() query: ListQuery): Promise<{ items: TransactionSummary[]; nextCursor: string | null }> {
    return toPage(await this.listTransactions.page(parseListQuery(query)));
  }

  @Get(':id')
  @Roles('channel', 'officer', 'manager', 'operator', 'auditor', 'agency', 'admin')
  @ApiOperation({ summary: 'A transaction: state, agency reference, attempts and history' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiResponse({ status: 200, type: TransactionViewDto })
  @ApiProblemResponse(404, 'No such transaction, or not visible to the caller (agency tokens see their own only)')
  @ApiProblemResponse(422, 'The id is not a UUID')
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<TransactionView> {
    return this.getTransaction.execute(transactionId(id), principal);
  }
}
