import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import type { BoardFeed } from '../board-feed';
import type { CallAhead } from './call-ahead';
import { APPOINTMENT_LEAD_MINUTES, toTicketView, type TicketView } from '../domain/ticket';
import type { TicketRepository } from '../ticket.repository';
import { counterNamed, type CounterCommand } from './counter-sessions';
import { authorize } from '../../authorization';
import { centreNamed, type CentreDirectory } from './queue-access';

/**
 * POST /v1/centres/{code}/counters/{counter}/call-next: the best waiting ticket among the services
 * the counter serves goes to the officer's open session there (see TicketRepository.callNext for
 * why two counters never get one ticket). Null when nobody waits for those services.
 */
export class CallNext {
  constructor(
    private readonly centres: CentreDirectory,
    private readonly tickets: TicketRepository,
    private readonly board: BoardFeed,
    private readonly clock: Clock,
    private readonly callAhead: Pick<CallAhead, 'afterCall'>,
  ) {}

  async execute(command: CounterCommand): Promise<TicketView | null> {
    // The centre's code is checked by the statement itself; the centre is read only to explain a refusal.
    authorize(command.caller, 'counter.work', { centre: command.centreCode });
    const now = this.clock.now();
    const result = await this.tickets.callNext(
      { centreCode: command.centreCode, counterCode: command.counterCode, officerId: command.caller.subject, at: now, appointmentLeadMinutes: APPOINTMENT_LEAD_MINUTES },
      command.caller.subject,
    );
    switch (result.outcome) {
      case 'called': {
        await this.board.changed(command.centreCode, now, { ticket: result.ticket, recall: false });
        await this.callAhead.afterCall(command.centreCode, result.ticket.serviceCode, now, { callAheadPlaces: result.callAheadPlaces });
        return toTicketView(result.ticket);
      }
      case 'empty':
        return null;
      case 'other-officer':
        throw new DomainError('conflict', 'counter-held-by-another-officer', `Counter ${command.counterCode} is open under another officer.`);
      case 'counter-closed': {
        const centre = await centreNamed(this.centres, command.centreCode);
        counterNamed(centre, command.counterCode);
        throw new DomainError('conflict', 'counter-closed', `Counter ${command.counterCode} is closed: open it before calling the next ticket.`);
      }
    }
  }
}
