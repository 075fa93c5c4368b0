import { expectedFromHistory, type HistoryEvent } from './transaction-history';

const SENT = '2026-03-02T07:59:59.000Z';
const history = (...events: Array<[string, Record<string, unknown>]>): HistoryEvent[] => events.map(([type, data], i) => ({ shard: 0, seq: i + 1, type, data }));
const received: [string, Record<string, unknown>] = ['received', { service: 'id-card-replacement', agency: 'nrb', channel: 'counter' }];
const backlog: Array<[string, Record<string, unknown>]> = [received, ['manual', { code: 'agency_fallback' }], ['replay_requested', { reason: 'agency_fallback' }]];

describe('expectedFromHistory: the two forms of a request sent (issue 13)', () => {
  it('follows an outcome that carries its own `sentAt` from the state before it', () => {
    const now = expectedFromHistory(history(received, ['retrying', { attempt: 1, sentAt: SENT, inline: true }], ['completed', { attempt: 2, sentAt: SENT, inline: false, agencyRef: 'NRB-1' }]));
    expect(now).toMatchObject({ state: 'completed', agencyRef: 'NRB-1', problems: [] });
  });

  it('judges an outcome after an older `dispatched` event (no `sentAt`) from the state before the request left', () => {
    const before = expectedFromHistory(history(...backlog, ['dispatched', { attempt: 1, replay: true }], ['parked', { attempt: 1, replay: true, code: 'HTTP_404' }]));
    expect(before).toMatchObject({ state: 'parked', problems: [] });
  });

  it('returns to the state before an older `dispatched` event when the replay failed, and stays where it is in today\'s form', () => {
    const failed = ['replay_failed', { attempt: 1, replay: true, code: 'unavailable', failures: 1 }] as [string, Record<string, unknown>];
    expect(expectedFromHistory(history(...backlog, ['dispatched', { attempt: 1, replay: true }], failed))).toMatchObject({ state: 'manual', problems: [] });
    expect(expectedFromHistory(history(...backlog, ['replay_failed', { ...failed[1], sentAt: SENT }]))).toMatchObject({ state: 'manual', problems: [] });
    // A later replay in either form is judged from `manual` again.
    const again = expectedFromHistory(history(...backlog, ['dispatched', { attempt: 1, replay: true }], failed, ['dispatched', { attempt: 2, replay: true }], ['parked', { attempt: 2, replay: true, code: 'HTTP_404' }]));
    expect(again).toMatchObject({ state: 'parked', problems: [] });
  });

  it('takes a `dispatched` event with `sentAt` as the change it is: nothing but an answer or a timeout follows it', () => {
    const handedOver = expectedFromHistory(history(...backlog, ['dispatched', { attempt: 1, replay: true, sentAt: SENT }], ['parked', { attempt: 1, replay: true, code: 'HTTP_404' }]));
    expect(handedOver.problems).toEqual([{ shard: 0, seq: 5, reason: 'illegal_transition', detail: 'parked: dispatched → parked is not a transition of the lifecycle' }]);
    expect(expectedFromHistory(history(...backlog, ['dispatched', { attempt: 1, replay: true, sentAt: SENT }], ['completed', { agencyRef: 'NRB-2', via: 'file-drop' }]))).toMatchObject({
      state: 'completed',
      problems: [],
    });
  });
});
