/// <reference types="jest" />
/**
 * The ONE behavioural contract both EventBus drivers pass. Not a spec itself: a driver's spec
 * calls eventBusContract() with a factory. Waits are bounded polls; "did not arrive" is checked
 * after a marker message published later has arrived (delivery is in order per publisher).
 */
import type { BusMessage, EventBus } from './event-bus.port';

/** Buses made with the same `space` must share messages; different spaces must not. */
export type MakeEventBus = (space: string) => Promise<EventBus>;

const WAIT_LIMIT_MS = 5_000;

async function waitFor(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_LIMIT_MS} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function eventBusContract(make: MakeEventBus, flags: { distributed: boolean }): void {
  const opened: EventBus[] = [];
  const open = async (space: string) => {
    const bus = await make(space);
    opened.push(bus);
    return bus;
  };
  const space = () => `contract-${Math.random().toString(36).slice(2, 10)}`;

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((bus) => bus.close()));
  });

  it('delivers messages of a topic to each of its subscribers, in publish order, and nothing of other topics', async () => {
    const bus = await open(space());
    const first: BusMessage[] = [];
    const second: BusMessage[] = [];
    const other: BusMessage[] = [];
    await bus.subscribe('board:A', (m) => first.push(m));
    await bus.subscribe('board:A', (m) => second.push(m));
    await bus.subscribe('board:B', (m) => other.push(m));
    for (let n = 1; n <= 5; n++) await bus.publish('board:A', { n });
    await bus.publish('board:B', { marker: true });
    await waitFor('all messages', () => first.length === 5 && second.length === 5 && other.length === 1);
    expect(first).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })));
    expect(second).toEqual(first);
    expect(other).toEqual([{ marker: true }]);
  });

  it('stops delivering to a handler once it unsubscribed, and keeps delivering to the others', async () => {
    const bus = await open(space());
    const gone: BusMessage[] = [];
    const staying: BusMessage[] = [];
    const subscription = await bus.subscribe('board:A', (m) => gone.push(m));
    await bus.subscribe('board:A', (m) => staying.push(m));
    await bus.publish('board:A', { n: 1 });
    await waitFor('first message', () => gone.length === 1 && staying.length === 1);
    await subscription.unsubscribe();
    await subscription.unsubscribe();
    await bus.publish('board:A', { n: 2 });
    await waitFor('second message', () => staying.length === 2);
    expect(gone).toEqual([{ n: 1 }]);
  });

  it('keeps delivering when one subscriber throws', async () => {
    const bus = await open(space());
    const received: BusMessage[] = [];
    await bus.subscribe('board:A', () => {
      throw new Error('a closed stream');
    });
    await bus.subscribe('board:A', (m) => received.push(m));
    await expect(bus.publish('board:A', { n: 1 })).resolves.toBeUndefined();
    await waitFor('message', () => received.length === 1);
  });

  if (flags.distributed) {
    it('delivers across instances of one space, and never to another space', async () => {
      const shared = space();
      const publisher = await open(shared);
      const replica = await open(shared);
      const stranger = await open(space());
      const onReplica: BusMessage[] = [];
      const onStranger: BusMessage[] = [];
      await replica.subscribe('board:A', (m) => onReplica.push(m));
      await stranger.subscribe('board:A', (m) => onStranger.push(m));
      await publisher.publish('board:A', { called: 'A001' });
      await waitFor('message on the replica', () => onReplica.length === 1);
      // The stranger's marker, published after, arriving first proves the other was not misrouted.
      await stranger.publish('board:A', { marker: true });
      await waitFor('marker', () => onStranger.length === 1);
      expect(onReplica).toEqual([{ called: 'A001' }]);
      expect(onStranger).toEqual([{ marker: true }]);
    });
  }
}
