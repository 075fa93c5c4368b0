import { getEventListeners } from 'node:events';
import { AgencyCallError } from '../agency-adapter.port';
import { withDeadline } from './deadline';

/** Work that never settles by itself and keeps the signal it was given. */
function ignoringTheSignal(): { work: (signal: AbortSignal) => Promise<string>; signal: () => AbortSignal | undefined } {
  let seen: AbortSignal | undefined;
  return {
    work: (signal) => {
      seen = signal;
      return new Promise<string>(() => undefined);
    },
    signal: () => seen,
  };
}

describe('withDeadline', () => {
  it("answers with the work's value, and its error, when the work settles first", async () => {
    await expect(withDeadline(1000, async () => 'answered')).resolves.toBe('answered');
    await expect(withDeadline(1000, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    await expect(
      withDeadline(1000, () => {
        throw new Error('thrown at once');
      }),
    ).rejects.toThrow('thrown at once');
  });

  it('settles at the deadline when the work ignores its signal, and aborts that signal with the timeout', async () => {
    const { work, signal } = ignoringTheSignal();

    const failure = await withDeadline(10, work).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(AgencyCallError);
    expect(failure).toMatchObject({ code: 'timeout' });
    expect(signal()?.aborted).toBe(true);
    expect(signal()?.reason).toBe(failure);
  });

  it('settles as unavailable when abortAll fires, before or during the work', async () => {
    const closing = new AbortController();
    const { work, signal } = ignoringTheSignal();

    const during = withDeadline(60_000, work, closing.signal).catch((error: unknown) => error);
    closing.abort();

    await expect(during).resolves.toMatchObject({ code: 'unavailable', reason: 'agency client closed' });
    expect(signal()?.aborted).toBe(true);
    await expect(withDeadline(60_000, async () => 'late', closing.signal)).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('releases its timer and its listener on abortAll whichever way the work ends', async () => {
    const closing = new AbortController();
    jest.useFakeTimers();
    try {
      await expect(withDeadline(1000, async () => 'answered', closing.signal)).resolves.toBe('answered');
      await expect(withDeadline(1000, async () => Promise.reject(new Error('refused')), closing.signal)).rejects.toThrow('refused');
      expect(jest.getTimerCount()).toBe(0);
      expect(getEventListeners(closing.signal, 'abort')).toHaveLength(0);
      const late = withDeadline(1000, () => new Promise<string>(() => undefined), closing.signal).catch((error: unknown) => error);
      jest.advanceTimersByTime(1000);
      await expect(late).resolves.toMatchObject({ code: 'timeout' });
      expect(jest.getTimerCount()).toBe(0);
      expect(getEventListeners(closing.signal, 'abort')).toHaveLength(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps the first outcome: a value after the deadline changes nothing', async () => {
    let finish: (value: string) => void = () => undefined;
    const outcome = withDeadline(10, () => new Promise<string>((resolve) => (finish = resolve)));

    await expect(outcome).rejects.toMatchObject({ code: 'timeout' });
    finish('too late');
    await expect(outcome).rejects.toMatchObject({ code: 'timeout' });
  });

  describe('its signals, reused (issue 13: each new AbortSignal puts ~100 bytes in the old generation)', () => {
    // The kept signals are the module's own: each case loads it afresh, so that what the cases before it left there
    // (they run in any order, or alone with -t) is not what it is handed.
    let fresh: typeof withDeadline;
    beforeEach(() => {
      jest.isolateModules(() => {
        fresh = (jest.requireActual('./deadline') as typeof import('./deadline')).withDeadline;
      });
    });
    /** A moment later, as the next call comes. */
    const later = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));
    const signalOf = async (work: (signal: AbortSignal) => Promise<unknown> = async () => 'answered'): Promise<AbortSignal> => {
      let seen: AbortSignal | undefined;
      await fresh(1000, (signal) => {
        seen = signal;
        return work(signal);
      }).catch(() => undefined);
      await later();
      return seen!;
    };

    it('hands the next call the signal of a call that ended before its deadline, unaborted and unheard', async () => {
      const first = await signalOf(async () => Promise.reject(new Error('refused')));
      const next = await signalOf();

      expect(next).toBe(first);
      expect(next.aborted).toBe(false);
    });

    it('reuses a signal whose listener its call took off only after it ended (undici, when the body stream closes)', async () => {
      const onAbort = (): void => undefined;
      const first = await signalOf(async (signal) => {
        signal.addEventListener('abort', onAbort);
        setTimeout(() => signal.removeEventListener('abort', onAbort), 15);
        return 'answered';
      });

      expect(await signalOf()).toBe(first);
    });

    it('never reuses a signal that was aborted, or that its call still listens on', async () => {
      const { work, signal } = ignoringTheSignal();
      await fresh(10, work).catch(() => undefined);
      await later();
      const listenedOn = await signalOf(async (s) => {
        s.addEventListener('abort', () => undefined);
        return 'answered';
      });
      await later();

      const next = await signalOf();
      expect(next).not.toBe(signal());
      expect(next).not.toBe(listenedOn);
      expect(next.aborted).toBe(false);
      expect(getEventListeners(next, 'abort')).toHaveLength(0);
    });
  });
});
