import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SmsInbound } from '../../../contracts/src/message.types';
import { AnswerStatusSms } from '../../../core/follow-up/answer-status-sms';
import { Public } from '../auth';
import { ApiProblemResponse } from '../docs/problem.schema';
import { ValidBody } from '../http/valid-body';
import { UssdKeyGuard } from '../ussd/ussd-key';

@ApiTags('channels')
@Controller('v1/channels')
export class SmsController {
  constructor(private readonly answer: AnswerStatusSms) {}

  // No bearer token: Africa's Talking cannot send one. The callback URL's `key` (the USSD channel's) is the credential.
  @Post('sms')
  @Public()
  @UseGuards(UssdKeyGuard)
  @HttpCode(204)
  @ApiOperation({
    summary: "Incoming SMS callback (Africa's Talking): STATUS <reference> answers with the application's status by SMS",
    description:
      'Form fields from, to, text, date, id, linkId, networkCode. `STATUS <reference>` (or `HALI <reference>`, or the reference alone) gets one SMS ' +
      'back with the status of that application only; at most 10 look-ups per phone and hour, USSD included (none answered beyond).',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiQuery({ name: 'key', required: true, type: String, description: "KIUNGO_USSD_SECRET, part of the callback URL configured at Africa's Talking" })
  @ApiResponse({ status: 204, description: 'Taken; the answer, if any, leaves as an SMS' })
  @ApiProblemResponse(401, 'No channel key in the URL')
  @ApiProblemResponse(403, 'Wrong channel key')
  @ApiProblemResponse(422, 'Not an incoming-SMS callback (fields named)')
  async sms(@ValidBody('sms-inbound') body: SmsInbound): Promise<void> {
    await this.answer.execute(body);
  }
}
