/** How far back the replay's pace is measured for its ETA. */
export const REPLAY_PROGRESS_WINDOW_S = 60;

/**
 * Seconds until the backlog is through, at the pace the replay really kept over the last
 * REPLAY_PROGRESS_WINDOW_S seconds (from the first transaction that left the backlog in that
 * window up to now, so a stall slows the pace down as it lasts). Null when nothing left the
 * backlog lately: a replay that is stalled, paused or not started has no honest ETA.
 */
export function replayEtaSeconds(backlog: number, recent: { count: number; spanSeconds: number }): number | null {
  if (backlog === 0) return 0;
  if (recent.count === 0) return null;
  const perSecond = recent.count / Math.max(1, recent.spanSeconds);
  return Math.ceil(backlog / perSecond);
}
