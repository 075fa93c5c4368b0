/**
 * A bulkhead: at most `concurrency` calls to one agency at once, at most `queueLimit`
 * more waiting for a slot; anything beyond fails fast so that a slow agency holds a
 * bounded number of our requests and cannot starve the others.
 */
export type ReleaseSlot = () => void;

interface Waiter {
  grant: (release: ReleaseSlot | null) => void;
  timer: NodeJS.Timeout;
}

export class Bulkhead {
  private running = 0;
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(
    readonly concurrency: number,
    readonly queueLimit: number,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('bulkhead concurrency must be an integer >= 1');
    if (!Number.isInteger(queueLimit) || queueLimit < 0) throw new RangeError('bulkhead queueLimit must be an integer >= 0');
  }

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /**
   * Resolves with a release function once a slot is ours, or with `null` when the queue is
   * full, the wait exceeds `maxWaitMs`, or the bulkhead is closed. Never rejects.
   */
  acquire(maxWaitMs: number): Promise<ReleaseSlot | null> {
    if (this.closed) return Promise.resolve(null);
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiters.length >= this.queueLimit) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          this.remove(waiter);
          resolve(null);
        }, maxWaitMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Refuses new calls and lets every waiter go empty-handed; calls in flight finish. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.grant(null);
    }
  }

  private releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) {
        // The slot passes straight to the longest waiter: `running` does not change.
        clearTimeout(next.timer);
        next.grant(this.releaser());
      } else {
        this.running--;
      }
    };
  }

  private remove(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
  }
}
