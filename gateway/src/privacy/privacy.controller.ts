import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Erasure, ErasureRequest } from '../../../contracts/src/message.types';
import { EraseCitizen } from '../../../core/privacy/use-cases/erase-citizen';
import { Can, CurrentPrincipal, type Principal } from '../auth';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ApiProblemResponse } from '../docs/problem.schema';
import { ValidBody } from '../http/valid-body';

@ApiTags('privacy')
@ApiBearerAuth()
@Controller('v1/privacy')
export class PrivacyController {
  constructor(private readonly eraseCitizen: EraseCitizen) {}

  @Post('erasures')
  @HttpCode(200)
  @Can('personal-data.erase')
  @ApiOperation({
    summary: "Erase one citizen's personal data (right to erasure); audited, and the audit chain still verifies",
    description:
      'Every transaction and booking found by the ID number loses the citizen data and the request payload; wherever their phones (those rows hold, ' +
      'and `phone` when given) appear, the phone goes: SMS log, notice outbox, walk-in tickets, outage notices, rate limits, USSD sessions; the feedback ' +
      'comments of their visits and the stored Idempotency-Key answers naming their rows go too. ' +
      'The ID number and phone go in the body, never in the URL. Refused (409) while the citizen has a transaction not yet ended or a booking to come.',
  })
  @ApiMessageResponse(200, 'erasure', 'What lost its personal data')
  @ApiProblemResponse(409, 'The citizen has business still open; nothing was erased')
  @ApiProblemResponse(422, 'ID number, phone or reason missing or malformed (fields named)')
  async erase(@ValidBody('erasure-request') request: ErasureRequest, @CurrentPrincipal() principal: Principal): Promise<Erasure> {
    const { erasedAt, ...erasure } = await this.eraseCitizen.execute({
      idNumber: request.idNumber,
      ...(request.phone !== undefined ? { phone: request.phone } : {}),
      reason: request.reason,
      actor: principal,
    });
    return { ...erasure, erasedAt: erasedAt.toISOString() };
  }
}
