import { replayEtaSeconds } from './replay-progress';

describe('replayEtaSeconds: the ETA of a replay from its real pace', () => {
  it('has no ETA while nothing leaves the backlog (stalled, paused or not started), whatever the configured rate', () => {
    expect(replayEtaSeconds(200, { count: 0, spanSeconds: 0 })).toBeNull();
  });

  it('divides the backlog by the pace measured since the first replay of the window', () => {
    // 40 left in the last 20 s: 2 per second, 100 to go.
    expect(replayEtaSeconds(100, { count: 40, spanSeconds: 20 })).toBe(50);
    // One left half a second ago: the span is at least a second, never a burst of infinite pace.
    expect(replayEtaSeconds(10, { count: 1, spanSeconds: 0.5 })).toBe(10);
  });

  it('grows while a replay stalls: the same progress over a longer span', () => {
    const moving = replayEtaSeconds(100, { count: 30, spanSeconds: 10 })!;
    const stalled = replayEtaSeconds(100, { count: 30, spanSeconds: 55 })!;
    expect(stalled).toBeGreaterThan(moving * 5);
  });

  it('is zero with an empty backlog', () => {
    expect(replayEtaSeconds(0, { count: 0, spanSeconds: 0 })).toBe(0);
  });
});
