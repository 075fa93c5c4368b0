import { PeriodicJob, Scheduler } from './scheduler';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
};

describe('PeriodicJob', () => {
  it('never runs two passes at once: ticks while a pass runs are skipped, and runOnce joins it', async () => {
    const gate = deferred();
    let started = 0;
    const job = new PeriodicJob('probe', 5, async () => {
      started += 1;
      await gate.promise;
    }, { warn: () => undefined });
    job.start();
    await until(() => started === 1);
    await new Promise((r) => setTimeout(r, 40)); // several ticks fall due meanwhile
    const joined = job.runOnce();
    expect(started).toBe(1);
    gate.resolve();
    await joined;
    await job.stop();
  });

  it('stop() waits for the pass under way and no pass starts after it', async () => {
    const gate = deferred();
    let started = 0;
    let finished = false;
    const job = new PeriodicJob('probe', 5, async () => {
      started += 1;
      await gate.promise;
      finished = true;
    }, { warn: () => undefined });
    job.start();
    await until(() => started === 1);
    const stopped = job.stop();
    setTimeout(gate.resolve, 20);
    await stopped;
    expect(finished).toBe(true);
    await new Promise((r) => setTimeout(r, 30));
    expect(started).toBe(1);
  });

  it('logs a failed pass with its name and runs again at the next tick', async () => {
    const warnings: string[] = [];
    let passes = 0;
    const job = new PeriodicJob('sweep', 5, async () => {
      passes += 1;
      if (passes === 1) throw new Error('database restarting');
    }, { warn: (message: string) => void warnings.push(message) });
    await expect(job.runOnce()).resolves.toBeUndefined();
    job.start();
    await until(() => passes >= 2);
    await job.stop();
    expect(warnings).toEqual(['sweep failed, will try again: database restarting']);
  });
});

describe('Scheduler', () => {
  it('refuses a second job of the same name and stops every job on shutdown', async () => {
    const scheduler = new Scheduler();
    const gate = deferred();
    let running = false;
    const job = scheduler.every('booking jobs', 5, async () => {
      running = true;
      await gate.promise;
      running = false;
    });
    expect(() => scheduler.every('booking jobs', 5, async () => undefined)).toThrow(/already scheduled/);
    void job.runOnce();
    const shutdown = scheduler.beforeApplicationShutdown();
    gate.resolve();
    await shutdown;
    expect(running).toBe(false);
  });
});
