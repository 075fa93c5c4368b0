import { Controller, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { UssdCallback } from '../../../contracts/src/message.types';
import { replyBody } from '../../../core/ussd/domain/ussd-state';
import { AnswerUssdCallback } from '../../../core/ussd/use-cases/answer-ussd-callback';
import { Public } from '../auth';
import { ApiProblemResponse } from '../docs/problem.schema';
import { RateLimitPer } from '../http/rate-limit.guard';
import { ValidBody } from '../http/valid-body';
import { UssdKeyGuard } from './ussd-key';

@ApiTags('channels')
@Controller('v1/channels')
export class UssdController {
  constructor(private readonly answer: AnswerUssdCallback) {}

  // No bearer token: Africa's Talking cannot send one. The callback URL's `key` is the credential.
  @Post('ussd')
  @Public()
  // Africa's Talking calls from a few addresses for every phone: the budget is the phone's.
  @RateLimitPer('phone')
  @UseGuards(UssdKeyGuard)
  @HttpCode(200)
  @ApiOperation({
    summary: "USSD callback (Africa's Talking): book, check and cancel appointments",
    description:
      'Form fields sessionId, serviceCode, phoneNumber, text (answers so far joined by *). Answers text/plain `CON …` (continue) or `END …` (finish), ' +
      'each screen at most 182 characters. Sessions are kept in PostgreSQL for 180 s after the last answer.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiProduces('text/plain')
  @ApiQuery({ name: 'key', required: true, type: String, description: 'KIUNGO_USSD_SECRET, part of the callback URL configured at Africa\'s Talking' })
  @ApiResponse({ status: 200, description: 'The next screen', content: { 'text/plain': { schema: { type: 'string', example: 'CON Huduma appointments\n1. Book an appointment' } } } })
  @ApiProblemResponse(401, 'No channel key in the URL')
  @ApiProblemResponse(403, 'Wrong channel key')
  @ApiProblemResponse(422, 'Not a USSD callback (fields named)')
  @ApiProblemResponse(429, 'Too many callbacks for this phone (Retry-After)')
  async ussd(@ValidBody('ussd-callback') body: UssdCallback, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const answer = await this.answer.execute(body);
    reply.header('content-type', 'text/plain; charset=utf-8');
    return replyBody(answer);
  }
}
