import { Controller, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { answerJson, type StoredAnswer } from '../../../core/idempotency/domain/idempotent-request';
import { isFinalForCaller, type Transaction as TransactionRecord } from '../../../core/transactions/domain/transaction';
import { toTransactionView } from '../../../core/transactions/transaction.view';
import { GetTransaction } from '../../../core/transactions/use-cases/get-transaction';
import { ListTransactions } from '../../../core/transactions/use-cases/list-transactions';
import { SubmitTransaction } from '../../../core/transactions/use-cases/submit-transaction';
import { CurrentPrincipal, Can, type Principal } from '../auth';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ApiProblemResponse } from '../docs/problem.schema';
import { answerOnce, IdempotencyInStatements, IdempotencyKeyGuard } from '../http/idempotency-key';
import { RunOnce } from '../../../core/idempotency/use-cases/run-once';
import { Catalogue } from '../../../contracts/src/catalogue';
import type { Transaction, TransactionEnvelope, TransactionPage, TransactionQuery } from '../../../contracts/src/message.types';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { ValidBody } from '../http/valid-body';
import { ValidQuery } from '../http/valid-query';
import { listFilter, toPage } from './list-query';
import { transactionId } from './transaction-id';

/** What Fastify sends a serialised object as. */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

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
    private readonly runOnce: RunOnce,
  ) {}

  @Post()
  @HttpCode(202)
  @Can('transaction.submit')
  // The guard checks the key and
  // hashes the body, and the handler answers through answerOnce (the hottest route, issue 13).
  @UseGuards(IdempotencyKeyGuard)
  @IdempotencyInStatements()
  @ApiOperation({
    summary: 'Submit a transaction (one citizen request for one service)',
    description:
      'Recorded durably before the agency is called, then tried once inline. 200: the agency answered (state `completed` or `rejected`). ' +
      '202: accepted and still in progress (`retrying`, `dispatched`, `manual`) — follow `statusUrl`.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: 'Unique per request; a repeat returns the first response.' })
  @ApiMessageResponse(200, 'transaction', 'The agency answered: `completed` or `rejected`')
  @ApiMessageResponse(202, 'transaction', 'Accepted and in progress: follow `statusUrl`')
  @ApiProblemResponse(422, 'Envelope or payload not valid for the service, Idempotency-Key missing or reused with another body (fields named)')
  @ApiProblemResponse(503, 'The agency is not taking applications and the service falls back to `reject` (Retry-After)')
  async submit(
    @ValidBody('transaction-envelope') envelope: TransactionEnvelope,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const body = await answerOnce(this.runOnce, reply.request, reply, () => this.submitOnce(envelope, principal, reply));
    // The Transaction as the statement stored it, sent as that same JSON text: serialised once, not twice.
    void reply.type(JSON_CONTENT_TYPE);
    return answerJson(body);
  }

  private async submitOnce(envelope: TransactionEnvelope, principal: Principal, reply: FastifyReply): Promise<Transaction> {
    const request = reply.request;
    // The answer is built once per transaction: the one stored with the outcome is the one sent.
    let last: { transaction: TransactionRecord; answer: StoredAnswer } | undefined;
    const answerFor = (transaction: TransactionRecord): StoredAnswer => {
      if (last?.transaction !== transaction) {
        // The citizen as the caller sent it: the view need not open the sealed copy again.
        const view: Transaction = toTransactionView(transaction, this.vault, this.catalogue, { citizen: envelope.citizen });
        // Set on the view, not spread into a copy: `{ ...view, statusUrl }` cost V8 a new hidden class per request.
        view.statusUrl = `/v1/transactions/${transaction.id}`;
        last = { transaction, answer: { status: isFinalForCaller(transaction.state) ? 200 : 202, body: view } };
      }
      return last.answer;
    };
    const { transaction } = await this.submitTransaction.execute({
      envelope,
      submitter: principal,
      idempotency: request.idempotency,
      inline: { key: request.inlineKey!, answerFor },
      // Fastify's request id is the correlation id (create-http-app.ts), passed on explicitly.
      correlationId: request.id,
    });
    const answer = answerFor(transaction);
    reply.status(answer.status);
    reply.header('Location', `/v1/transactions/${transaction.id}`);
    return answer.body as Transaction;
  }

  @Get()
  @Can('transaction.list')
  @ApiOperation({ summary: 'Transactions in one state (e.g. `?state=parked`), oldest first, with cursor pagination (`?cursor=&limit=`); filters `agency`, `service`, `reason`' })
  @ApiMessageResponse(200, 'transaction-page')
  @ApiProblemResponse(422, 'Unknown state, limit out of range or a cursor not from a previous page (query fields named)')
  async list(@ValidQuery('transaction-query') query: TransactionQuery, @CurrentPrincipal() principal: Principal): Promise<TransactionPage> {
    return toPage(await this.listTransactions.page(listFilter(query), principal));
  }

  @Get(':id')
  @Can('transaction.read')
  @ApiOperation({ summary: 'A transaction: state, agency reference, attempts and history' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiMessageResponse(200, 'transaction')
  @ApiProblemResponse(404, 'No such transaction, or not visible to the caller (agency tokens see their own only)')
  @ApiProblemResponse(422, 'The id is not a UUID')
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<Transaction> {
    return this.getTransaction.execute(transactionId(id), principal);
  }
}
