import type { Pool } from 'pg';
import { normalisePhone, phoneLookupHash } from '../bookings/domain/booking';
import { statement } from '../db/pool';
import type { PersonalDataVault } from '../shared/personal-data';
import type { NotificationReceipt, SmsMessage } from './notifier.port';

/** Every SMS, whichever driver sent it, is kept in `notifications` (phone sealed, look-up by keyed hash). */
export class NotificationLog {
  constructor(
    private readonly pool: Pool,
    private readonly vault: PersonalDataVault,
    /** The insert (one per SMS, e.g. every booking's confirmation) as a named prepared statement on real PostgreSQL. */
    private readonly prepared = false,
  ) {}

  async record(message: SmsMessage, driver: string, receipt: NotificationReceipt): Promise<void> {
    await this.pool.query(
      statement(
        `INSERT INTO notifications (to_hash, to_sealed, template, data, body, driver, status, provider_ref, error)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9)`,
        [
          phoneLookupHash(this.vault, normalisePhone(message.to)),
          this.vault.seal(message.to),
          message.kind,
          JSON.stringify(message.data ?? {}),
          message.text,
          driver,
          receipt.status,
          receipt.providerRef ?? null,
          receipt.error ?? null,
        ],
        this.prepared,
      ),
    );
  }

  /** Messages sent to one phone number, oldest first (tests, support desk). */
  async sentTo(phone: string): Promise<Array<{ template: string; body: string; status: string; data: Record<string, string> }>> {
    const { rows } = await this.pool.query<{ template: string; body: string; status: string; data: Record<string, string> }>(
      'SELECT template, body, status, data FROM notifications WHERE to_hash = $1 ORDER BY id',
      [phoneLookupHash(this.vault, normalisePhone(phone))],
    );
    return rows;
  }
}
