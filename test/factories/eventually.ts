import type { Pool } from 'pg';

/** Polls until `probe` returns a value that satisfies `done`, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    last = await probe();
  }
  return last;
}

/**
 * Waits until some statement of the database behind `pool` waits for a lock that `awaited` names
 * (a condition on pg_locks, e.g. `locktype = 'advisory'`): the statement under test is then in flight.
 */
export async function someoneWaitsFor(pool: Pool, awaited: string): Promise<void> {
  await eventually(async () => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND (${awaited})`)).rows[0].n, (n) => n > 0, 5_000, 20);
}
