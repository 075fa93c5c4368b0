import type { CentreRepository, VersionedCentre } from './centre.repository';

/** Centres kept per api process at most; past it the longest kept is dropped (a country has a few hundred). */
const MAX_CENTRES = 1_000;

/**
 * Centres as this process last read them, with their versions: a booking takes its centre from here
 * instead of reading it again (issue 13). Only for a writer that checks the version in its own
 * statement, as PgBookingRepository.insert does (migration 0133): a copy that a change made stale, on
 * this replica or another, is refused there; the caller then reads the centre again (`refresh`), as
 * it does to confirm a refusal the copy's own rules gave (onCurrentCentre in core/bookings).
 * A centre not found is not kept (one created later is found by the next look-up). Look-ups of one
 * code while it is being read share that read.
 */
export class CentreCache {
  private readonly kept = new Map<string, VersionedCentre>();
  private readonly reading = new Map<string, Promise<VersionedCentre | null>>();

  constructor(private readonly centres: Pick<CentreRepository, 'findVersioned'>) {}

  findByCode(code: string): Promise<VersionedCentre | null> {
    const kept = this.kept.get(code);
    if (kept) return Promise.resolve(kept);
    return this.reading.get(code) ?? this.read(code);
  }

  /**
   * The centre read again after a statement refused `stale`: its copy is dropped (a newer one kept
   * meanwhile is taken) and the read is a new one, not one that began before the refusal.
   */
  refresh(stale: VersionedCentre): Promise<VersionedCentre | null> {
    const code = stale.centre.code;
    const kept = this.kept.get(code);
    if (kept && kept.version !== stale.version) return Promise.resolve(kept);
    this.kept.delete(code);
    return this.read(code);
  }

  /** Reads the centre; the last read begun for a code is the one kept. */
  private read(code: string): Promise<VersionedCentre | null> {
    const read: Promise<VersionedCentre | null> = this.centres.findVersioned(code).then(
      (found) => {
        if (this.reading.get(code) !== read) return found;
        this.reading.delete(code);
        if (found) {
          if (!this.kept.has(code) && this.kept.size >= MAX_CENTRES) this.kept.delete(this.kept.keys().next().value as string);
          this.kept.set(code, found);
        }
        return found;
      },
      (error: unknown) => {
        if (this.reading.get(code) === read) this.reading.delete(code);
        throw error;
      },
    );
    this.reading.set(code, read);
    return read;
  }
}
