import { SharedRead } from './shared-read';

/** A read that resolves when told to, counting how often it was started. */
function controlledRead() {
  const pending: Array<(value: number) => void> = [];
  let started = 0;
  return {
    read: () => {
      started++;
      return new Promise<number>((resolve) => pending.push(resolve));
    },
    finish: (value: number) => pending.shift()!(value),
    started: () => started,
  };
}

describe('SharedRead', () => {
  it('gives every caller the read that is running, then its result while it is young', async () => {
    let now = 0;
    const source = controlledRead();
    const shared = new SharedRead(source.read, 1000, () => now);
    const readers = [shared.get(), shared.get(), shared.get()];
    expect(source.started()).toBe(1);
    source.finish(7);
    await expect(Promise.all(readers)).resolves.toEqual([7, 7, 7]);
    now = 999;
    await expect(shared.get()).resolves.toBe(7);
    expect(source.started()).toBe(1);
    now = 1000;
    const fresh = shared.get();
    expect(source.started()).toBe(2);
    source.finish(8);
    await expect(fresh).resolves.toBe(8);
  });

  it('reads again after invalidate, even while an older read is still running', async () => {
    const source = controlledRead();
    const shared = new SharedRead(source.read, 60_000, () => 0);
    const before = shared.get();
    shared.invalidate();
    const after = shared.get();
    expect(source.started()).toBe(2);
    source.finish(1);
    source.finish(2);
    await expect(before).resolves.toBe(1);
    await expect(after).resolves.toBe(2);
    // The older read finishing last must not be handed out as current.
    await expect(shared.get()).resolves.toBe(2);
    expect(source.started()).toBe(2);
  });

  it('does not keep a failed read: the next caller tries again', async () => {
    let calls = 0;
    const shared = new SharedRead(async () => {
      calls++;
      if (calls === 1) throw new Error('database restarting');
      return 'ok';
    }, 60_000, () => 0);
    await expect(shared.get()).rejects.toThrow('database restarting');
    await expect(shared.get()).resolves.toBe('ok');
    expect(calls).toBe(2);
  });
});
