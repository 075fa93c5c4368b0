import { randomUUID } from 'node:crypto';
import type { Centre } from '../../centres/domain/centre';
import { localDate } from '../../centres/domain/local-time';
import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import { toSessionView, type CounterSessionView } from '../domain/counter-session';
import type { CounterSessionRepository } from '../counter-session.repository';
import { authorize, decide, type Actor } from '../../authorization';
import { centreNamed, type CentreDirectory } from './queue-access';

export interface CounterCommand {
  centreCode: string;
  counterCode: string;
  caller: Actor;
}

/** The counter named in the path, at a centre that exists: 404 otherwise. */
export function counterNamed(centre: Centre, counterCode: string): void {
  if (!centre.counters.some((c) => c.code === counterCode)) {
    throw new DomainError('not_found', 'counter-not-found', `${centre.code} has no counter ${counterCode.slice(0, 20)}.`);
  }
}

/**
 * POST /v1/centres/{code}/counters/{counter}/open|close: an officer logs in at a counter (one
 * counter per officer, one officer per counter) and out again; the times are the officer's session.
 */
export class CounterSessions {
  constructor(
    private readonly centres: CentreDirectory,
    private readonly sessions: CounterSessionRepository,
    private readonly clock: Clock,
  ) {}

  async open(command: CounterCommand): Promise<{ session: CounterSessionView; created: boolean }> {
    const centre = await this.counterAt(command, 'counter.work');
    const now = this.clock.now();
    const id = randomUUID();
    const result = await this.sessions.open(
      { id, centreCode: centre.code, counterCode: command.counterCode, officerId: command.caller.subject, openedAt: now },
      {
        type: 'session_opened',
        centreCode: centre.code,
        localDay: localDate(now, centre.timeZone),
        sessionId: id,
        counterCode: command.counterCode,
        officerId: command.caller.subject,
        occurredAt: now,
        actor: command.caller.subject,
        data: {},
      },
    );
    if (result.outcome === 'taken') {
      throw new DomainError('conflict', 'counter-taken', `Counter ${command.counterCode} is open under another officer; they must close it first.`);
    }
    if (result.outcome === 'officer-elsewhere') {
      throw new DomainError(
        'conflict',
        'officer-at-another-counter',
        `You are still at counter ${result.session.counterCode} of ${result.session.centreCode}; close it first.`,
      );
    }
    return { session: toSessionView(result.session, now), created: result.outcome === 'opened' };
  }

  async close(command: CounterCommand): Promise<CounterSessionView> {
    const centre = await this.counterAt(command, 'counter.close');
    const now = this.clock.now();
    const current = await this.sessions.openAt(centre.code, command.counterCode);
    if (!current) throw new DomainError('conflict', 'counter-not-open', `Counter ${command.counterCode} is not open.`);
    // Officers close their own session; managers any of their centre (the policy's `counter.close`).
    const decision = decide(command.caller, 'counter.close', { centre: centre.code, creator: current.officerId });
    if (!decision.allowed) {
      throw new DomainError('conflict', 'counter-held-by-another-officer', `Counter ${command.counterCode} is open under another officer.`);
    }
    const closed = await this.sessions.close(centre.code, command.counterCode, now, (session) => ({
      type: 'session_closed',
      centreCode: session.centreCode,
      localDay: localDate(session.openedAt, centre.timeZone),
      sessionId: session.id,
      counterCode: session.counterCode,
      officerId: session.officerId,
      occurredAt: session.closedAt ?? now,
      actor: command.caller.subject,
      data: { openedAt: session.openedAt.toISOString() },
    }));
    if (!closed) throw new DomainError('conflict', 'counter-not-open', `Counter ${command.counterCode} is not open.`);
    return toSessionView(closed, now);
  }

  private async counterAt(command: CounterCommand, action: 'counter.work' | 'counter.close'): Promise<Centre> {
    authorize(command.caller, action);
    const centre = await centreNamed(this.centres, command.centreCode);
    authorize(command.caller, action, { centre: centre.code });
    counterNamed(centre, command.counterCode);
    return centre;
  }
}
