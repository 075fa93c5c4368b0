/// <reference types="jest" />
/**
 * The ONE behavioural contract both RetryQueue drivers pass (DESIGN.md: two drivers, one suite).
 * Not a spec file itself: a driver's spec calls retryQueueContract() with a factory.
 * Delays stay at or under 300 ms so the suite is quick; the only waits are bounded polls, and
 * a short "settle" pause before asserting that something did NOT happen (a duplicate run).
 */
import { QueueDepth, RetryJob, RetryQueue, RetryQueueLogger, RetryQueueOptions, retryJobId } from './retry-queue.port';

/**
 * Builds a queue. Queues built with the same `space` must share their jobs (BullMQ: same Redis
 * prefix); different spaces must not see each other's jobs. A driver without sharing ignores it.
 * The options must be passed through: the contract shrinks timings and captures the log.
 */
export type MakeRetryQueue = (space: string, options: RetryQueueOptions) => Promise<RetryQueue>;

export interface RetryQueueContractFlags {
  /** True when separate instances share jobs (BullMQ on Redis); false skips that case. */
  distributed: boolean;
}

export const CONTRACT_QUEUE_OPTIONS = { handlerAttempts: 3, handlerBackoffMs: 40, closeTimeoutMs: 500 } as const;

const SETTLE_MS = 300;
const WAIT_LIMIT_MS = 5_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_LIMIT_MS} ms waiting for: ${what}`);
    await sleep(10);
  }
}

interface Gate {
  promise: Promise<void>;
  open: () => void;
}

function gate(): Gate {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

interface Run {
  job: RetryJob;
  at: number;
}

export function retryQueueContract(name: string, makeQueue: MakeRetryQueue, flags: RetryQueueContractFlags): void {
  describe(`RetryQueue contract: ${name}`, () => {
    let space = '';
    let sequence = 0;
    let logged: string[] = [];
    let gates: Gate[] = [];
    const opened: RetryQueue[] = [];
    const logger: RetryQueueLogger = { warn: (line) => logged.push(line), error: (line) => logged.push(line) };

    const open = async (): Promise<RetryQueue> => {
      const queue = await makeQueue(space, { ...CONTRACT_QUEUE_OPTIONS, logger });
      opened.push(queue);
      return queue;
    };
    const newGate = (): Gate => {
      const made = gate();
      gates.push(made);
      return made;
    };
    const job = (agencyCode = 'KRA', attempt = 2): RetryJob => ({ transactionId: `tx-${space}-${(sequence += 1)}`, agencyCode, attempt });
    const recorder = () => {
      const runs: Run[] = [];
      const handler = async (received: RetryJob) => {
        runs.push({ job: received, at: Date.now() });
      };
      return { runs, handler };
    };

    beforeEach(() => {
      space = `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
      logged = [];
    });

    afterEach(async () => {
      // Let hung handlers finish first, so that close() and the drivers' connections can unwind.
      gates.forEach((g) => g.open());
      gates = [];
      await Promise.all(opened.splice(0).map((queue) => queue.close()));
    });

    it('runs a scheduled job after its delay, not before, with the job as scheduled', async () => {
      const queue = await open();
      const { runs, handler } = recorder();
      await queue.consume(handler, { concurrency: 2 });
      const scheduled = job('NTSA', 3);
      const before = Date.now();
      await queue.schedule(scheduled, 300);
      await waitFor('the job to run', () => runs.length === 1);
      expect(runs[0].at - before).toBeGreaterThanOrEqual(300);
      expect(runs[0].job).toEqual(scheduled);
    });

    it('runs a job scheduled twice with the same (transactionId, attempt) once: while due, delayed or running', async () => {
      const queue = await open();
      const release = newGate();
      const runs: RetryJob[] = [];
      const twice = job();
      await queue.schedule(twice, 0);
      await queue.schedule({ ...twice }, 0);
      await queue.schedule({ ...twice }, 100);
      await queue.consume(
        async (received) => {
          runs.push(received);
          await release.promise;
        },
        { concurrency: 2 },
      );
      await waitFor('the job to run', () => runs.length >= 1);
      await queue.schedule({ ...twice }, 0);
      release.open();
      await sleep(SETTLE_MS);
      expect(runs).toEqual([twice]);
    });

    it('does not run a job again when it is re-scheduled right after it finished', async () => {
      const queue = await open();
      const { runs, handler } = recorder();
      await queue.consume(handler, { concurrency: 1 });
      const once = job();
      await queue.schedule(once, 0);
      await waitFor('the job to finish', async () => runs.length === 1 && Object.keys(await queue.depth()).length === 0);
      await queue.schedule(once, 0);
      await sleep(SETTLE_MS);
      expect(runs).toHaveLength(1);
    });

    it('runs the same transaction again for a different attempt', async () => {
      const queue = await open();
      const { runs, handler } = recorder();
      await queue.consume(handler, { concurrency: 2 });
      const second = job('KRA', 2);
      const third = { ...second, attempt: 3 };
      await queue.schedule(second, 0);
      await queue.schedule(third, 50);
      await waitFor('both attempts to run', () => runs.length === 2);
      expect(runs.map((run) => run.job.attempt).sort()).toEqual([2, 3]);
    });

    it('gives a job whose handler threw to the handler again later', async () => {
      const queue = await open();
      const calls: Run[] = [];
      await queue.consume(
        async (received) => {
          calls.push({ job: received, at: Date.now() });
          if (calls.length < CONTRACT_QUEUE_OPTIONS.handlerAttempts) throw new Error('database briefly down');
        },
        { concurrency: 1 },
      );
      const flaky = job();
      await queue.schedule(flaky, 0);
      await waitFor('the handler to succeed', () => calls.length === CONTRACT_QUEUE_OPTIONS.handlerAttempts);
      expect(calls.map((call) => call.job)).toEqual(Array(CONTRACT_QUEUE_OPTIONS.handlerAttempts).fill(flaky));
      // Later, not at once: there is a back-off between runs (at least half the base, jitter included).
      expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(CONTRACT_QUEUE_OPTIONS.handlerBackoffMs / 2);
      await waitFor('the queue to empty', async () => Object.keys(await queue.depth()).length === 0);
    });

    it('drops a job after its handler attempts, with a log line, and accepts it again afterwards', async () => {
      const queue = await open();
      let calls = 0;
      await queue.consume(
        async () => {
          calls += 1;
          throw new Error('still down');
        },
        { concurrency: 1 },
      );
      const doomed = job('IMMIGRATION');
      await queue.schedule(doomed, 0);
      await waitFor('the drop to be logged', () => logged.some((line) => line.includes(retryJobId(doomed))));
      await sleep(SETTLE_MS);
      expect(calls).toBe(CONTRACT_QUEUE_OPTIONS.handlerAttempts);
      expect(logged.join('\n')).toContain('IMMIGRATION');
      expect(await queue.depth()).toEqual({});
      // The sweeper is the backstop: it must be able to schedule the same (id, attempt) again.
      await queue.schedule(doomed, 0);
      await waitFor('the re-scheduled job to run', () => calls > CONTRACT_QUEUE_OPTIONS.handlerAttempts);
    });

    it('runs a job put back with RetryLater again after laterMs, without using a handler attempt, and keeps its id meanwhile', async () => {
      const queue = await open();
      const calls: Run[] = [];
      const laterMs = 150;
      const putBacks = CONTRACT_QUEUE_OPTIONS.handlerAttempts + 1;
      await queue.consume(
        async (received) => {
          calls.push({ job: received, at: Date.now() });
          return calls.length <= putBacks ? { laterMs } : undefined;
        },
        { concurrency: 1 },
      );
      const waiting = job('NRB');
      await queue.schedule(waiting, 0);
      await waitFor('the job to be put back once', async () => calls.length === 1 && (await queue.depth()).NRB?.delayed === 1);
      // Still the same job: scheduling it again does not add a second run.
      await queue.schedule({ ...waiting }, 0);
      // More put-backs than handler attempts: none of them counted as a failed run, nothing dropped.
      await waitFor('the job to run to its end', () => calls.length === putBacks + 1);
      expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(laterMs - 5);
      expect(calls.map((call) => call.job)).toEqual(Array(putBacks + 1).fill(waiting));
      await waitFor('the queue to empty', async () => Object.keys(await queue.depth()).length === 0);
      await sleep(SETTLE_MS);
      expect(calls).toHaveLength(putBacks + 1);
      expect(logged).toEqual([]);
    });

    it("wake(agency) runs that agency's put-back jobs now, and no other's", async () => {
      const queue = await open();
      const runs: RetryJob[] = [];
      const seen = new Set<string>();
      await queue.consume(
        async (received) => {
          runs.push(received);
          if (seen.has(received.transactionId)) return undefined;
          seen.add(received.transactionId);
          return { laterMs: 60_000 };
        },
        { concurrency: 2 },
      );
      const [first, second, other] = [job('NRB'), job('NRB'), job('KRA')];
      await Promise.all([first, second, other].map((each) => queue.schedule(each, 0)));
      await waitFor('all three put back', async () => {
        const depth = await queue.depth();
        return depth.NRB?.delayed === 2 && depth.KRA?.delayed === 1;
      });
      expect(await queue.wake('NRB')).toBe(2);
      await waitFor("the agency's jobs to run again", () => runs.length === 5);
      await sleep(SETTLE_MS);
      expect(runs.slice(3).map((run) => run.transactionId).sort()).toEqual([first.transactionId, second.transactionId].sort());
      expect((await queue.depth()).KRA?.delayed).toBe(1);
      expect(await queue.wake('NRB')).toBe(0);
    });

    it('never runs more handlers at once than the concurrency cap', async () => {
      const queue = await open();
      let inFlight = 0;
      let mostInFlight = 0;
      let done = 0;
      await queue.consume(
        async () => {
          inFlight += 1;
          mostInFlight = Math.max(mostInFlight, inFlight);
          await sleep(60);
          inFlight -= 1;
          done += 1;
        },
        { concurrency: 2 },
      );
      for (let i = 0; i < 6; i += 1) await queue.schedule(job(), 0);
      await waitFor('all six jobs to run', () => done === 6);
      expect(mostInFlight).toBe(2);
    });

    it('counts delayed jobs per agency, and nothing once they have run', async () => {
      const queue = await open();
      const { runs, handler } = recorder();
      await queue.schedule(job('KRA'), 300);
      await queue.schedule(job('KRA'), 300);
      await queue.schedule(job('NHIF'), 300);
      expect(await queue.depth()).toEqual({
        KRA: { waiting: 0, delayed: 2, active: 0 },
        NHIF: { waiting: 0, delayed: 1, active: 0 },
      });
      await queue.consume(handler, { concurrency: 3 });
      await waitFor('all three jobs to run', () => runs.length === 3);
      await waitFor('the depth to drop to zero', async () => Object.keys(await queue.depth()).length === 0);
      expect(await queue.depth()).toEqual({});
    });

    it('counts due jobs as waiting and running ones as active', async () => {
      const queue = await open();
      await queue.schedule(job('NSSF'), 0);
      const zero: QueueDepth = { waiting: 0, delayed: 0, active: 0 };
      await waitFor('the job to be waiting', async () => (await queue.depth()).NSSF?.waiting === 1);
      const release = newGate();
      let started = false;
      await queue.consume(
        async () => {
          started = true;
          await release.promise;
        },
        { concurrency: 1 },
      );
      await waitFor('the handler to start', () => started);
      await waitFor('the job to be active', async () => (await queue.depth()).NSSF?.active === 1);
      expect(await queue.depth()).toEqual({ NSSF: { ...zero, active: 1 } });
      release.open();
      await waitFor('the depth to drop to zero', async () => Object.keys(await queue.depth()).length === 0);
    });

    it('waits in close() for a running handler to finish', async () => {
      const queue = await open();
      let started = false;
      let finished = false;
      await queue.consume(
        async () => {
          started = true;
          await sleep(150);
          finished = true;
        },
        { concurrency: 1 },
      );
      await queue.schedule(job(), 0);
      await waitFor('the handler to start', () => started);
      await queue.close();
      expect(finished).toBe(true);
      // Its job is finished, not left behind as active (seen from another instance, if shared).
      expect(await (await open()).depth()).toEqual({});
    });

    it('stops waiting in close() after closeTimeoutMs for a handler that hangs', async () => {
      const queue = await open();
      const hang = newGate();
      let started = false;
      let finished = false;
      await queue.consume(
        async () => {
          started = true;
          await hang.promise;
          finished = true;
        },
        { concurrency: 1 },
      );
      await queue.schedule(job(), 0);
      await waitFor('the handler to start', () => started);
      await queue.close();
      expect(finished).toBe(false);
      expect(logged.some((line) => line.includes('still running'))).toBe(true);
    });

    it('runs jobs that were scheduled before consume() was called', async () => {
      const queue = await open();
      const { runs, handler } = recorder();
      const early = [job('KRA'), job('KRA'), job('NTSA')];
      await queue.schedule(early[0], 0);
      await queue.schedule(early[1], 0);
      await queue.schedule(early[2], 100);
      await sleep(200);
      await queue.consume(handler, { concurrency: 2 });
      await waitFor('all three jobs to run', () => runs.length === 3);
      expect(runs.map((run) => run.job.transactionId).sort()).toEqual(early.map((j) => j.transactionId).sort());
    });

    it('refuses a second consume() and any schedule() after close()', async () => {
      const queue = await open();
      await queue.consume(async () => {}, { concurrency: 1 });
      await expect(queue.consume(async () => {}, { concurrency: 1 })).rejects.toThrow(/already consuming/);
      await queue.close();
      await expect(queue.schedule(job(), 0)).rejects.toThrow(/closed/);
    });

    (flags.distributed ? it : it.skip)('hands a job scheduled on one instance to a consumer on another, once', async () => {
      const producers = [await open(), await open()];
      const consumers = [await open(), await open()];
      const { runs, handler } = recorder();
      await Promise.all(consumers.map((consumer) => consumer.consume(handler, { concurrency: 2 })));
      const jobs = Array.from({ length: 8 }, () => job('KRA'));
      for (const [i, scheduled] of jobs.entries()) await producers[i % 2].schedule(scheduled, i % 3 === 0 ? 50 : 0);
      await producers[1].schedule(jobs[0], 0); // a duplicate from another instance
      await waitFor('all eight jobs to run', () => runs.length >= jobs.length);
      await sleep(SETTLE_MS);
      expect(runs.map((run) => retryJobId(run.job)).sort()).toEqual(jobs.map(retryJobId).sort());
    });
  });
}
