import { eventContent, inEntityOrder, type NewAuditEvent } from './audit-event';
import { canonicalJson } from './canonical-json';

/**
 * eventContent writes the hashed text out by hand, keys in canonical order, for speed. Every event
 * already stored was hashed over canonicalJson of the same fields: if the hand-written text ever
 * drifted from it, new chains would still verify and every stored event would fail. Pinned here.
 */
describe('eventContent', () => {
  const at = new Date('2026-03-03T07:00:00.123Z');
  const events: Array<Partial<NewAuditEvent> & Pick<NewAuditEvent, 'occurredAt'>> = [
    { entityType: 'transaction', entityId: '7f1c2b9e-3a44-4f0e-9b1a-2f6c1d0e8a55', type: 'received', actor: 'officer-otieno', data: { state: 'received', attempt: 1, nested: { z: [1, 'two', null], a: true } }, occurredAt: at },
    { entityType: 'ticket', entityId: 'Ndégé-ñ-✓', type: 'called', actor: 'system:worker', data: undefined, occurredAt: at },
    { entityType: 'erasure', entityId: 'e-1', type: 'personal_data_erased', actor: 'admin "quoted" \\ back', data: { reason: 'line\nbreak\u0001', count: 0.5, big: 1e21 }, occurredAt: at },
    { entityType: undefined, entityId: 'x', type: undefined, actor: undefined, data: {}, occurredAt: at },
  ];

  it.each(events.map((event, i) => [i, event] as const))('is canonicalJson of the same fields (event %i)', (_i, event) => {
    const { entityType, entityId, type, actor, data, occurredAt } = event;
    expect(eventContent(event as NewAuditEvent)).toBe(canonicalJson({ entityType, entityId, type, actor, data, occurredAt: occurredAt.toISOString() }));
  });
});

describe('inEntityOrder', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 10, 22, 8, 0, 0, ms));
  const event = (name: string, shard: number, seq: number, ms: number) => ({ name, shard, seq, occurredAt: at(ms) });
  const names = (events: Array<{ name: string }>) => events.map((e) => e.name);

  it('keeps one chain in chain order, whatever the times say (clocks of two replicas disagree)', () => {
    expect(names(inEntityOrder([event('c', 5, 30, 1), event('a', 5, 10, 9), event('b', 5, 20, 5)]))).toEqual(['a', 'b', 'c']);
  });

  it('merges the runs of two chains by time, each run in chain order, a tie going to the lower chain', () => {
    const events = [
      event('received', 3, 7, 1),
      event('dispatched', 3, 8, 2),
      event('retrying', 131, 1, 3),
      event('dispatched again', 3, 12, 4),
      event('completed', 131, 2, 5),
      event('note', 3, 13, 5),
    ];
    for (const shuffled of [events, [...events].reverse(), [events[4], events[0], events[5], events[2], events[1], events[3]]]) {
      expect(names(inEntityOrder(shuffled))).toEqual(['received', 'dispatched', 'retrying', 'dispatched again', 'note', 'completed']);
    }
    // A run's order holds against a time that would put it before its own chain's earlier event.
    expect(names(inEntityOrder([event('first', 3, 1, 10), event('second', 3, 2, 1), event('other', 131, 1, 5)]))).toEqual(['other', 'first', 'second']);
  });

  it('returns nothing for no events', () => {
    expect(inEntityOrder([])).toEqual([]);
  });
});
