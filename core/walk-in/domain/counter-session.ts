import type { CounterSession as CounterSessionMessage } from '../../../contracts/src/message.types';

/** An officer logged in at a counter, from open to close (the Secretariat's "time logged on"). */
export interface CounterSession {
  id: string;
  centreCode: string;
  counterCode: string;
  officerId: string;
  openedAt: Date;
  closedAt: Date | null;
}

/** As the API shows it (counter-session.v1.json). */
export type CounterSessionView = CounterSessionMessage;

export function toSessionView(session: CounterSession, now: Date): CounterSessionView {
  const end = session.closedAt ?? now;
  return {
    sessionId: session.id,
    centre: session.centreCode,
    counter: session.counterCode,
    officer: session.officerId,
    openedAt: session.openedAt.toISOString(),
    closedAt: session.closedAt?.toISOString() ?? null,
    seconds: Math.max(0, Math.round((end.getTime() - session.openedAt.getTime()) / 1000)),
  };
}
