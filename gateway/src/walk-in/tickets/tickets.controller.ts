import { Controller, Get, Headers, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiMessageResponse } from '../../docs/message-schemas';
import { ApiProblemResponse } from '../../docs/problem.schema';
import { ValidBody } from '../../http/valid-body';
import type { FastifyReply } from 'fastify';
import type {
  Feedback,
  FeedbackReceipt,
  IssuedTicket,
  Ticket,
  TicketCompletion,
  TicketRequest,
  TicketTransfer,
} from '../../../../contracts/src/message.types';
import { GiveFeedback } from '../../../../core/walk-in/use-cases/give-feedback';
import { IssueTicket } from '../../../../core/walk-in/use-cases/issue-ticket';
import { TicketActions } from '../../../../core/walk-in/use-cases/ticket-actions';
import { CurrentPrincipal, Can, type Principal } from '../../auth';
import { RunOnce } from '../../../../core/idempotency/use-cases/run-once';
import { answerOnce, IdempotencyKeyGuard } from '../../http/idempotency-key';

@ApiTags('queue')
@ApiBearerAuth()
@Controller('v1/centres')
export class CentreTicketsController {
  constructor(
    private readonly issueTicket: IssueTicket,
    private readonly runOnce: RunOnce,
  ) {}

  @Post(':code/tickets')
  @HttpCode(201)
  @Can('ticket.issue')
  @UseGuards(IdempotencyKeyGuard)
  @ApiOperation({
    summary: 'Take a queue ticket: a walk-in (service, priority class) or a booking check-in (bookingReference)',
    description:
      'Answers the ticket number (`A042`: the service letter and the day\'s running number), the position in its queue and an estimated wait. ' +
      '409 `centre-closed` for a walk-in outside opening hours; check-in errors come from the booking (404 `booking-not-found`, 409 `booking-not-active`, `booking-expired`…). ' +
      '200 when the booking was already checked in (the same ticket again).',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiMessageResponse(201, 'issued-ticket', 'A new ticket')
  @ApiMessageResponse(200, 'issued-ticket', 'The booking was already checked in: the same ticket')
  @ApiProblemResponse(404, 'No such centre or booking')
  @ApiProblemResponse(409, '`centre-closed`, `service-not-offered`, or a booking that cannot be checked in (`booking-not-active`, `booking-expired`, …)')
  @ApiProblemResponse(422, 'Neither a walk-in nor a check-in request, Idempotency-Key missing or reused (fields named)')
  async issue(
    @Param('code') code: string,
    @ValidBody('ticket-request') body: TicketRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IssuedTicket> {
    return (await answerOnce(this.runOnce, reply.request, reply, async () => {
      const { ticket, created } = await this.issueTicket.execute({ centreCode: code, body, caller: principal, idempotencyKey });
      reply.status(created ? 201 : 200);
      reply.header('Location', `/v1/tickets/${ticket.id}`);
      return ticket;
    })) as IssuedTicket;
  }
}

@ApiTags('queue')
@ApiBearerAuth()
@Controller('v1/tickets')
export class TicketsController {
  constructor(
    private readonly actions: TicketActions,
    private readonly feedback: GiveFeedback,
  ) {}

  @Get(':id')
  @Can('ticket.read')
  @ApiOperation({ summary: 'A ticket: number, service, state, counter' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProblemResponse(404, 'No such ticket')
  @ApiMessageResponse(200, 'ticket')
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<Ticket> {
    return this.actions.get({ ticketId: id, caller: principal });
  }

  @Post(':id/recall')
  @HttpCode(200)
  @Can('ticket.serve')
  @ApiOperation({ summary: 'Call a called ticket again to the same counter (the board shows it again)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProblemResponse(404, 'No such ticket')
  @ApiProblemResponse(409, '`ticket-state`: the ticket is not called')
  @ApiMessageResponse(200, 'ticket')
  recall(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<Ticket> {
    return this.actions.recall({ ticketId: id, caller: principal });
  }

  @Post(':id/transfer')
  @HttpCode(200)
  @Can('ticket.serve')
  @ApiOperation({ summary: "Move the ticket to another service's queue; it keeps its number and its arrival time" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProblemResponse(404, 'No such ticket')
  @ApiProblemResponse(409, '`ticket-state`, or the service is not queued at this centre')
  @ApiProblemResponse(422, 'No service, or the same service (fields named)')
  @ApiMessageResponse(200, 'ticket')
  transfer(@Param('id') id: string, @ValidBody('ticket-transfer') body: TicketTransfer, @CurrentPrincipal() principal: Principal): Promise<Ticket> {
    return this.actions.transfer({ ticketId: id, caller: principal, body });
  }

  @Post(':id/no-show')
  @HttpCode(200)
  @Can('ticket.serve')
  @ApiOperation({ summary: 'The citizen did not come forward' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProblemResponse(404, 'No such ticket')
  @ApiProblemResponse(409, '`ticket-state`: the ticket is not called')
  @ApiMessageResponse(200, 'ticket')
  noShow(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<Ticket> {
    return this.actions.noShow({ ticketId: id, caller: principal });
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Can('ticket.serve')
  @ApiOperation({ summary: 'End the visit, linking the transactions submitted during it' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProblemResponse(404, 'No such ticket')
  @ApiProblemResponse(409, '`ticket-state`: the ticket is not called')
  @ApiProblemResponse(422, 'Unknown transaction ids (fields named)')
  @ApiMessageResponse(200, 'ticket')
  complete(
    @Param('id') id: string,
    @ValidBody('ticket-completion', { optional: true }) body: TicketCompletion,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Ticket> {
    return this.actions.complete({ ticketId: id, caller: principal, body });
  }

  @Post(':id/feedback')
  @HttpCode(201)
  @Can('ticket.feedback')
  @ApiOperation({ summary: "The citizen's rating of a completed visit (counter feedback device or portal), once per ticket (409 after)" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiMessageResponse(201, 'feedback-receipt')
  @ApiProblemResponse(404, 'No such ticket')
  @ApiProblemResponse(409, '`ticket-not-completed`, or feedback already given')
  @ApiProblemResponse(422, 'Rating not 1–5, comment too long (fields named)')
  giveFeedback(@Param('id') id: string, @ValidBody('feedback') body: Feedback, @CurrentPrincipal() principal: Principal): Promise<FeedbackReceipt> {
    return this.feedback.execute(id, body, principal);
  }
}
