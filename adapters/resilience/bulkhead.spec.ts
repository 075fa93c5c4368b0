import { Bulkhead, type ReleaseSlot } from './bulkhead';

describe('Bulkhead', () => {
  it('grants `concurrency` slots at once, queues `queueLimit` callers and refuses the next', async () => {
    const bulkhead = new Bulkhead(2, 1);
    const first = await bulkhead.acquire(1000);
    const second = await bulkhead.acquire(1000);
    const third = bulkhead.acquire(1000);

    expect(first).toEqual(expect.any(Function));
    expect(second).toEqual(expect.any(Function));
    expect({ inFlight: bulkhead.inFlight, queued: bulkhead.queued }).toEqual({ inFlight: 2, queued: 1 });
    await expect(bulkhead.acquire(1000)).resolves.toBeNull();

    first?.();
    const thirdRelease = await third;
    expect(thirdRelease).toEqual(expect.any(Function));
    expect({ inFlight: bulkhead.inFlight, queued: bulkhead.queued }).toEqual({ inFlight: 2, queued: 0 });
    second?.();
    thirdRelease?.();
    expect(bulkhead.inFlight).toBe(0);
  });

  it('serves waiters first come, first served', async () => {
    const bulkhead = new Bulkhead(1, 3);
    const holder = (await bulkhead.acquire(1000)) as ReleaseSlot;
    const order: string[] = [];
    const waiters = ['a', 'b', 'c'].map((name) =>
      bulkhead.acquire(1000).then((release) => {
        order.push(name);
        release?.();
      }),
    );

    holder();
    await Promise.all(waiters);

    expect(order).toEqual(['a', 'b', 'c']);
    expect(bulkhead.inFlight).toBe(0);
  });

  it('gives up on a waiter after maxWaitMs and forgets it', async () => {
    const bulkhead = new Bulkhead(1, 1);
    const holder = (await bulkhead.acquire(1000)) as ReleaseSlot;

    await expect(bulkhead.acquire(20)).resolves.toBeNull();
    expect(bulkhead.queued).toBe(0);
    holder();
    expect(bulkhead.inFlight).toBe(0);
  });

  it('ignores a second release of the same slot', async () => {
    const bulkhead = new Bulkhead(1, 0);
    const release = (await bulkhead.acquire(10)) as ReleaseSlot;
    release();
    release();
    const again = await bulkhead.acquire(10);

    expect(again).toEqual(expect.any(Function));
    expect(bulkhead.inFlight).toBe(1);
    expect(await bulkhead.acquire(10)).toBeNull();
  });

  it('lets waiters go empty-handed on close and refuses new callers', async () => {
    const bulkhead = new Bulkhead(1, 2);
    await bulkhead.acquire(1000);
    const waiting = bulkhead.acquire(1000);

    bulkhead.close();

    await expect(waiting).resolves.toBeNull();
    await expect(bulkhead.acquire(1000)).resolves.toBeNull();
  });

  it('refuses nonsensical sizes', () => {
    expect(() => new Bulkhead(0, 1)).toThrow(RangeError);
    expect(() => new Bulkhead(1, -1)).toThrow(RangeError);
  });
});
