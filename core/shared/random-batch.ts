import { randomFillSync } from 'node:crypto';

/**
 * Randomness from the CSPRNG drawn a batch at a time, as node's randomUUID caches its entropy: one
 * small randomBytes call per use cost more than the work it feeds (a seal's IV, an id's random bits).
 * Each byte is handed out once.
 */
export class RandomBatch {
  private readonly bytes: Buffer;
  private taken: number;

  constructor(size = 8192) {
    this.bytes = Buffer.alloc(size);
    this.taken = size;
  }

  /** The next `count` unused random bytes (a view: read them before the next take), drawing a new batch when too few are left. */
  take(count: number): Buffer {
    if (count > this.bytes.length) throw new RangeError(`a batch of ${this.bytes.length} random bytes cannot give ${count}`);
    if (this.taken + count > this.bytes.length) {
      randomFillSync(this.bytes);
      this.taken = 0;
    }
    this.taken += count;
    return this.bytes.subarray(this.taken - count, this.taken);
  }
}
