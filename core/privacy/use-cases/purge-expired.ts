import { randomUUID } from 'node:crypto';
import type { Catalogue } from '../../../contracts/src/catalogue';
import type { Clock } from '../../shared/clock';
import type { PersonalDataVault } from '../../shared/personal-data';
import { NO_ERASURE, type ErasureCounts, type PersonalDataStore } from '../personal-data-store';
import { tombstones } from './tombstones';

const DAY_MS = 86_400_000;
/** Rows per database transaction: short locks, and a pass that can always finish. */
const BATCH = 500;

/**
 * Retention: the personal data of transactions that ended, of bookings whose slot is over and of
 * walk-in tickets (phone, feedback comment) issued more than the service's `retentionDays` ago (the
 * agency file; else the configured default) is erased in place; so are the phones of the SMS log
 * and of the notice outbox past the default, and the operational rows keyed by a phone's hash
 * (rate limits, expired USSD sessions) or holding an answer (Idempotency-Key) are
 * deleted. Batch by batch, each batch one audit event (`personal_data_purged`). Every cutoff comes
 * from the injected clock.
 */
export class PurgeExpiredPersonalData {
  constructor(
    private readonly store: PersonalDataStore,
    private readonly catalogue: Pick<Catalogue, 'services'>,
    private readonly vault: PersonalDataVault,
    private readonly clock: Clock,
    private readonly defaultDays: number,
  ) {}

  /** Runs batches until nothing is left past its cutoff; returns what was erased. */
  async execute(maxBatches = 100): Promise<ErasureCounts> {
    const now = this.clock.now();
    const before = (days: number): Date => new Date(now.getTime() - days * DAY_MS);
    const cutoffs = {
      services: new Map(this.catalogue.services().map((s) => [s.code, before(s.retentionDays ?? this.defaultDays)])),
      notifications: before(this.defaultDays),
    };
    const total: ErasureCounts = { ...NO_ERASURE };
    const sealed = tombstones(this.vault);
    for (let batch = 0; batch < maxBatches; batch++) {
      const counts = await this.store.purgeExpired(cutoffs, BATCH, sealed, now, (erased) => ({
        entityType: 'retention',
        entityId: randomUUID(),
        type: 'personal_data_purged',
        actor: 'system:retention',
        data: { ...erased },
        occurredAt: now,
      }));
      const tables = Object.keys(total) as Array<keyof ErasureCounts>;
      for (const table of tables) total[table] += counts[table];
      if (tables.every((table) => counts[table] < BATCH)) break;
    }
    return total;
  }
}
