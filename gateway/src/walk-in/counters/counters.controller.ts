import { Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiMessageResponse } from '../../docs/message-schemas';
import { ApiProblemResponse } from '../../docs/problem.schema';
import type { FastifyReply } from 'fastify';
import type { CalledTicket, CounterSession } from '../../../../contracts/src/message.types';
import { CallNext } from '../../../../core/walk-in/use-cases/call-next';
import { CounterSessions } from '../../../../core/walk-in/use-cases/counter-sessions';
import { CurrentPrincipal, Can, type Principal } from '../../auth';

@ApiTags('queue')
@ApiBearerAuth()
@Controller('v1/centres')
export class CountersController {
  constructor(
    private readonly sessions: CounterSessions,
    private readonly next: CallNext,
  ) {}

  @Post(':code/counters/:counter/open')
  @Can('counter.work')
  @ApiOperation({
    summary: 'Log in at a counter (officers, own centre): 201 opened, 200 already open under you',
    description: '409 `counter-taken` (another officer is there), 409 `officer-at-another-counter`.',
  })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiParam({ name: 'counter', example: '1' })
  @ApiMessageResponse(201, 'counter-session', 'Opened')
  @ApiMessageResponse(200, 'counter-session', 'Already open under you')
  @ApiProblemResponse(404, 'No such centre or counter')
  @ApiProblemResponse(409, '`counter-taken` or `officer-at-another-counter`')
  async open(
    @Param('code') code: string,
    @Param('counter') counter: string,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CounterSession> {
    const { session, created } = await this.sessions.open({ centreCode: code, counterCode: counter, caller: principal });
    reply.status(created ? 201 : 200);
    return session;
  }

  @Post(':code/counters/:counter/close')
  @HttpCode(200)
  @Can('counter.close')
  @ApiOperation({ summary: 'Log out of a counter; answers the session with its length (managers may close any counter of their centre)' })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiParam({ name: 'counter', example: '1' })
  @ApiMessageResponse(200, 'counter-session')
  @ApiProblemResponse(404, 'No such centre or counter')
  @ApiProblemResponse(409, '`counter-not-open` or `counter-held-by-another-officer`')
  close(@Param('code') code: string, @Param('counter') counter: string, @CurrentPrincipal() principal: Principal): Promise<CounterSession> {
    return this.sessions.close({ centreCode: code, counterCode: counter, caller: principal });
  }

  @Post(':code/counters/:counter/call-next')
  @HttpCode(200)
  @Can('counter.work')
  @ApiOperation({
    summary: 'Call the next ticket to this counter',
    description:
      'Among the services the counter serves: appointments checked in and due within 15 minutes first, then elderly, disability and expectant, ' +
      'then arrival order. `ticket` is null when nobody waits. 409 `counter-closed` when the counter is not open.',
  })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiParam({ name: 'counter', example: '1' })
  @ApiMessageResponse(200, 'called-ticket')
  @ApiProblemResponse(404, 'No such centre or counter')
  @ApiProblemResponse(409, '`counter-closed` or `counter-held-by-another-officer`')
  async callNext(@Param('code') code: string, @Param('counter') counter: string, @CurrentPrincipal() principal: Principal): Promise<CalledTicket> {
    return { ticket: await this.next.execute({ centreCode: code, counterCode: counter, caller: principal }) };
  }
}
