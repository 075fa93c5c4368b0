import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiProduces, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Catalogue } from '../../../contracts/src/catalogue';
import type { AcknowledgmentQuery } from '../../../contracts/src/message.types';
import { CentreRepository } from '../../../core/centres/centre.repository';
import { ReceiptIssuer } from '../../../core/receipts/issue-receipt';
import { DomainError } from '../../../core/shared/errors';
import { maskIdNumber, PersonalDataVault } from '../../../core/shared/personal-data';
import type { Citizen } from '../../../core/transactions/domain/transaction';
import { GetTransaction } from '../../../core/transactions/use-cases/get-transaction';
import { Can, CurrentPrincipal, type Principal } from '../auth';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiProblemResponse } from '../docs/problem.schema';
import { ValidQuery } from '../http/valid-query';
import { acknowledgmentHtml, acknowledgmentPdf, type AcknowledgmentFacts } from './acknowledgment';
import { transactionId } from './transaction-id';

/** The printable acknowledgment of a transaction stored for later (its provisional reference above all). */
@ApiTags('transactions')
@ApiBearerAuth()
@Controller('v1/transactions/:id/acknowledgment')
export class AcknowledgmentController {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly vault: PersonalDataVault,
    private readonly getTransaction: GetTransaction,
    private readonly centres: CentreRepository,
    private readonly receipts: ReceiptIssuer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Can('transaction.acknowledgment')
  @ApiOperation({ summary: 'The printable acknowledgment of a stored transaction: HTML, or PDF with `Accept: application/pdf` or `?format=pdf`' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProduces('text/html', 'application/pdf')
  @ApiResponse({
    status: 200,
    description: 'The acknowledgment to print',
    content: { 'text/html': { schema: { type: 'string' } }, 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblemResponse(404, 'No such transaction, not visible to the caller, or not stored for later (no acknowledgment)')
  @ApiProblemResponse(422, 'The id is not a UUID, or the format not html or pdf')
  async acknowledgment(
    @Param('id') id: string,
    @ValidQuery('acknowledgment-query') { format }: AcknowledgmentQuery,
    @Headers('accept') accept: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | Buffer> {
    const tx = await this.getTransaction.forAcknowledgment(transactionId(id), principal);
    if (!tx?.provisionalRef) throw new DomainError('not_found', 'acknowledgment-not-found', `Transaction ${id} has no acknowledgment (it was not stored for later).`);
    const service = this.catalogue.service(tx.serviceCode);
    const idNumberMasked = maskIdNumber(this.vault.openCitizen<Citizen>(tx).idNumber);
    const centre = tx.centreCode === null ? null : await this.centres.findByCode(tx.centreCode);
    const facts: AcknowledgmentFacts = {
      provisionalRef: tx.provisionalRef,
      transactionId: tx.id,
      serviceName: service?.name ?? tx.serviceCode,
      agencyName: this.catalogue.agency(tx.agencyCode)?.name ?? tx.agencyCode,
      centre: tx.centreCode,
      centreName: centre?.name ?? null,
      idNumberMasked,
      receivedAt: tx.createdAt,
      instructions: tx.fallback === 'manual' ? (service?.manualInstructions ?? null) : null,
      receipt: this.receipts.issue({ transactionId: tx.id, provisionalRef: tx.provisionalRef, serviceCode: tx.serviceCode, centre: tx.centreCode, receivedAt: tx.createdAt, idNumberMasked }),
      followUp: this.config.receipts.followUp,
    };
    if (format === 'pdf' || (format !== 'html' && accept?.includes('application/pdf'))) {
      reply.header('content-type', 'application/pdf');
      reply.header('content-disposition', `inline; filename="${facts.provisionalRef}.pdf"`);
      return acknowledgmentPdf(facts);
    }
    reply.header('content-type', 'text/html; charset=utf-8');
    return acknowledgmentHtml(facts);
  }
}
