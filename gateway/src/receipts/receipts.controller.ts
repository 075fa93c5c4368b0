import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { ReceiptKeys, ReceiptVerification, ReceiptVerifyQuery } from '../../../contracts/src/message.types';
import { VerifyReceipt, type ReceiptVerdict } from '../../../core/receipts/verify-receipt';
import type { PublishedKeys } from '../../../core/signing/published-keys';
import { Public } from '../auth';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ApiProblemResponse } from '../docs/problem.schema';
import { ValidQuery } from '../http/valid-query';
import { RECEIPT_KEYS } from './receipts-core.module';
import { verifyPage } from './verify-page';

/**
 * Checking a citizen's receipt. Public on purpose, like the seal keys: an officer of any centre or
 * an agency clerk holding a receipt must be able to check it, and the offline check needs only the
 * published key. A genuine receipt shows only its own application's status, with no personal data
 * beyond the masked ID number printed on it; a forged one shows nothing.
 */
@ApiTags('receipts')
@Controller()
export class ReceiptsController {
  constructor(
    private readonly verifyReceipt: VerifyReceipt,
    @Inject(RECEIPT_KEYS) private readonly keys: PublishedKeys,
  ) {}

  @Get('v1/receipts/verify')
  @Public()
  @ApiOperation({ summary: "Whether a receipt's QR text is genuine, and what became of the application" })
  @ApiMessageResponse(200, 'receipt-verification')
  @ApiProblemResponse(422, 'No `receipt` parameter, or an unknown parameter')
  async verify(@ValidQuery('receipt-verify-query') query: ReceiptVerifyQuery): Promise<ReceiptVerification> {
    return verificationMessage(await this.verifyReceipt.verify(query.receipt));
  }

  @Get('v1/receipts/keys')
  @Public()
  @ApiOperation({ summary: 'The public keys of the receipts: the active one and every key that ever signed a receipt' })
  @ApiMessageResponse(200, 'receipt-keys')
  keysList(): ReceiptKeys {
    return { keys: this.keys.list() };
  }

  @Get('verify')
  @Public()
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'A plain page to check a receipt: paste its QR text, or open the link a QR code holds' })
  @ApiResponse({ status: 200, description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } })
  page(@Res({ passthrough: true }) reply: FastifyReply): string {
    reply.type('text/html; charset=utf-8');
    reply.header('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'");
    return verifyPage();
  }
}

function verificationMessage(verdict: ReceiptVerdict): ReceiptVerification {
  if (!verdict.genuine) return { genuine: false, reason: verdict.reason };
  const { statement } = verdict;
  return {
    genuine: true,
    keyId: verdict.keyId,
    receipt: {
      transactionId: statement.tx,
      provisionalReference: statement.ref,
      service: statement.svc,
      centre: statement.ctr,
      receivedAt: statement.at,
      idNumberMasked: statement.id,
    },
    application: verdict.application,
  };
}
