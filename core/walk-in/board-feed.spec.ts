import { InProcessEventBus } from '../events/in-process.event-bus';
import { BoardFeed, WAITING_COUNT_SPACING_MS, type BoardMessage } from './board-feed';

/**
 * The waiting counts after queue changes: at most one count per centre at a time, spaced apart while
 * changes keep coming, and every change followed by a count that started after it. The counts are held open here (the count a real
 * ticket repository makes is a query that takes a while) so the changes can arrive meanwhile.
 */
describe('BoardFeed waiting counts', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 2, 3, 7, minute));
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  /** spacingMs 0: a count starts as soon as the one before ends (the spacing has its own test). */
  function feedWithHeldCounts(spacingMs = 0) {
    const counts: Array<{ centre: string; release: () => void }> = [];
    const tickets = {
      board: async () => ({ waiting: {}, called: [] }),
      waiting: (centre: string) =>
        new Promise<Record<string, number>>((resolve) => counts.push({ centre, release: () => resolve({ 'id-card': counts.length }) })),
    };
    const bus = new InProcessEventBus();
    return { feed: new BoardFeed(bus, tickets, undefined, spacingMs), bus, counts };
  }

  it('counts once while changes pile up, then once more after the last of them', async () => {
    const { feed, bus, counts } = feedWithHeldCounts();
    const published: BoardMessage[] = [];
    await bus.subscribe('board:NRB-GPO', (message) => void published.push(message as unknown as BoardMessage));

    await feed.changed('NRB-GPO', at(1));
    await settle();
    expect(counts).toHaveLength(1);
    for (const minute of [2, 3, 4]) await feed.changed('NRB-GPO', at(minute));
    await settle();
    expect(counts).toHaveLength(1); // three changes during the first count: none starts another yet

    counts[0].release();
    await settle();
    expect(counts).toHaveLength(2); // one more, for all three
    counts[1].release();
    await settle();
    expect(counts).toHaveLength(2);
    expect(published.map((m) => (m.type === 'waiting' ? m.at : m.type))).toEqual([at(1).toISOString(), at(4).toISOString()]);

    await feed.changed('NRB-GPO', at(5)); // quiet again: a change starts a count at once
    await settle();
    expect(counts).toHaveLength(3);
  });

  it('starts the count for changes made during a count no sooner than the spacing after it', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const { feed, bus, counts } = feedWithHeldCounts(WAITING_COUNT_SPACING_MS);
      const published: BoardMessage[] = [];
      await bus.subscribe('board:NRB-GPO', (message) => void published.push(message as unknown as BoardMessage));

      await feed.changed('NRB-GPO', at(1));
      await settle();
      expect(counts).toHaveLength(1); // the first change of a quiet centre: counted at once
      await feed.changed('NRB-GPO', at(2));
      counts[0].release();
      await settle();
      expect(counts).toHaveLength(1); // the change made during the count waits out the spacing
      await feed.changed('NRB-GPO', at(3)); // and one made while it waits joins it

      jest.advanceTimersByTime(WAITING_COUNT_SPACING_MS - 1);
      await settle();
      expect(counts).toHaveLength(1);
      jest.advanceTimersByTime(1);
      await settle();
      expect(counts).toHaveLength(2);
      counts[1].release();
      await settle();
      expect(counts).toHaveLength(2);
      expect(published.map((m) => (m.type === 'waiting' ? m.at : m.type))).toEqual([at(1).toISOString(), at(3).toISOString()]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('counts each centre on its own', async () => {
    const { feed, counts } = feedWithHeldCounts();
    await feed.changed('NRB-GPO', at(1));
    await feed.changed('MSA-01', at(1));
    await settle();
    expect(counts.map((c) => c.centre)).toEqual(['NRB-GPO', 'MSA-01']);
  });

  it('goes on counting after a count failed', async () => {
    const tickets = { board: async () => ({ waiting: {}, called: [] }), waiting: jest.fn().mockRejectedValueOnce(new Error('connection lost')).mockResolvedValue({ 'id-card': 2 }) };
    const bus = new InProcessEventBus();
    const published: unknown[] = [];
    await bus.subscribe('board:NRB-GPO', (message) => void published.push(message));
    const feed = new BoardFeed(bus, tickets);
    await feed.changed('NRB-GPO', at(1));
    await settle();
    await feed.changed('NRB-GPO', at(2));
    await settle();
    expect(tickets.waiting).toHaveBeenCalledTimes(2);
    expect(published).toEqual([{ type: 'waiting', waiting: { 'id-card': 2 }, at: at(2).toISOString() }]);
  });
});
