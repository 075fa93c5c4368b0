import { randomUUID } from 'node:crypto';
import type { Catalogue } from '../../../contracts/src/catalogue';
import type { Clock } from '../../shared/clock';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { ErasureCounts, PersonalDataStore } from '../personal-data-store';
import { tombstones } from './tombstones';

const DAY_MS = 86_400_000;
/** Rows per database transaction: short locks, and a pass that can always finish. */
const BATCH = 500;

/**
 * Retention: the personal data of transactions that ended, and of bookings whose slot is over,
 * more than the service's `retentionDays` ago (the agency file; else the configured default) is
 * erased in place, batch by batch, each batch one audit event (`personal_data_purged`).
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
    const total: ErasureCounts = { transactions: 0, bookings: 0, notices: 0, notifications: 0 };
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
      total.transactions += counts.transactions;
      total.bookings += counts.bookings;
      total.notices += counts.notices;
      total.notifications += counts.notifications;
      if (counts.transactions < BATCH && counts.bookings < BATCH && counts.notifications < BATCH) break;
    }
    return total;
  }
}
