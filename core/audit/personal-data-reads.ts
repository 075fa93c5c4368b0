import type { Actor } from '../authorization';
import type { Queryable } from '../db/pool';
import type { Clock } from '../shared/clock';
import type { AuditLog } from './audit-log';

/** What an unmasked read showed: the record's kind and id, never its content. */
export interface UnmaskedRead {
  entityType: 'transaction' | 'booking';
  entityId: string;
}

/**
 * Every read that shows national ID or phone numbers unmasked (a `personal-data` holder reading a
 * transaction or a booking) is an audit event on the record read: `personal_data_read`, the reader
 * as actor, the application it used (`client`, the token's azp) in data. The event names what was
 * read, never the data itself.
 */
export class PersonalDataReads {
  constructor(
    private readonly audit: AuditLog,
    private readonly db: Queryable,
    private readonly clock: Clock,
  ) {}

  async record(reader: Actor, reads: readonly UnmaskedRead[]): Promise<void> {
    const at = this.clock.now();
    for (const read of reads) {
      await this.audit.append(this.db, {
        entityType: read.entityType,
        entityId: read.entityId,
        type: 'personal_data_read',
        actor: reader.subject,
        data: { client: reader.client ?? null },
        occurredAt: at,
      });
    }
  }
}
