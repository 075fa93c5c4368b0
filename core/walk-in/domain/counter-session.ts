/** An officer logged in at a counter, from open to close (the Secretariat's "time logged on"). */
export interface CounterSession {
  id: string;
  centreCode: string;
  counterCode: string;
  officerId: string;
  openedAt: Date;
  closedAt: Date | null;
}

export interface CounterSessionView {
  sessionId: string;
  centre: string;
  counter: string;
  officer: string;
  openedAt: string;
  closedAt: string | null;
  /** Whole seconds between open and close (or now, while open). */
  seconds: number;
}

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
