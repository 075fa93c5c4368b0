import { AgencyCallWindow } from './agency-call-window';

const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 10, 24, 7, minute, second));

describe('AgencyCallWindow', () => {
  it('sums calls, failures and time over whole minutes of the window, per agency', () => {
    const window = new AgencyCallWindow();
    window.record('nrb', { failed: false, ms: 100, at: at(0, 10) });
    window.record('nrb', { failed: true, ms: 500, at: at(3, 0) });
    window.record('nrb', { failed: false, ms: 300, at: at(4, 59) });
    window.record('kra', { failed: true, ms: 50, at: at(4, 0) });
    expect(window.summary('nrb', at(4, 59), 5 * 60_000)).toEqual({ calls: 3, failures: 1, errorRate: 1 / 3, meanMs: 300, maxMs: 500 });
    // Five minutes later only the newest minute is in a one-minute window, and minute 0 has left the 5-minute one.
    expect(window.summary('nrb', at(5, 30), 5 * 60_000)).toMatchObject({ calls: 2, failures: 1 });
    expect(window.summary('nrb', at(4, 30), 60_000)).toMatchObject({ calls: 1, failures: 0 });
    expect(window.summary('kra', at(4, 30), 60_000)).toMatchObject({ calls: 1, failures: 1, errorRate: 1 });
    expect(window.summary('sha', at(4, 30), 60_000)).toEqual({ calls: 0, failures: 0, errorRate: null, meanMs: null, maxMs: null });
  });

  it('forgets minutes older than it keeps', () => {
    const window = new AgencyCallWindow(2);
    window.record('nrb', { failed: true, ms: 1, at: at(0) });
    window.record('nrb', { failed: false, ms: 1, at: at(5) });
    expect(window.summary('nrb', at(5), 60 * 60_000)).toMatchObject({ calls: 1, failures: 0 });
  });
});
