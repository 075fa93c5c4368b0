/**
 * One read shared by many readers: while a read is running, every caller gets that read; a result
 * younger than `maxAgeMs` is handed out again. `invalidate()` (something changed) makes the next
 * caller start a fresh read, even if one started before the change is still running.
 *
 * The /ops streams use it so that a room of wall screens and operators costs one overview read per
 * period per replica, not one per viewer.
 */
export class SharedRead<T> {
  private generation = 0;
  private running?: { generation: number; value: Promise<T> };
  private last?: { generation: number; value: T; startedAt: number };

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
    /** A monotonic millisecond count (ages only, never a time of day). */
    private readonly elapsed: () => number = () => performance.now(),
  ) {}

  get(): Promise<T> {
    const generation = this.generation;
    if (this.running?.generation === generation) return this.running.value;
    if (this.last?.generation === generation && this.elapsed() - this.last.startedAt < this.maxAgeMs) return Promise.resolve(this.last.value);
    const startedAt = this.elapsed();
    const value = this.read().then(
      (result) => {
        if (this.running?.value === value) this.running = undefined;
        if (!this.last || this.last.generation <= generation) this.last = { generation, value: result, startedAt };
        return result;
      },
      (error: unknown) => {
        if (this.running?.value === value) this.running = undefined;
        throw error;
      },
    );
    this.running = { generation, value };
    return value;
  }

  /** What was read so far is stale: the next `get()` reads again. */
  invalidate(): void {
    this.generation++;
  }
}
