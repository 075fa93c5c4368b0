import type { Pool } from 'pg';
import type { NewAuditEvent } from '../../audit/audit-event';
import type { AuditLog } from '../../audit/audit-log';
import { withTransaction } from '../../db/pool';
import { NO_NOTICE_CHOICES, NoticeChoicesRepository, type NoticeChoices } from '../notice-choices';

export class PgNoticeChoicesRepository extends NoticeChoicesRepository {
  constructor(
    private readonly pool: Pool,
    private readonly audit: AuditLog,
  ) {
    super();
  }

  async find(centreCode: string): Promise<NoticeChoices> {
    const { rows } = await this.pool.query<{ hour_before_reminder: boolean; call_ahead_places: number | null }>(
      'SELECT hour_before_reminder, call_ahead_places FROM centre_notice_choices WHERE centre_code = $1',
      [centreCode],
    );
    return rows[0] ? { hourBeforeReminder: rows[0].hour_before_reminder, callAheadPlaces: rows[0].call_ahead_places } : NO_NOTICE_CHOICES;
  }

  save(centreCode: string, choices: NoticeChoices, actor: string, event: NewAuditEvent): Promise<void> {
    return withTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO centre_notice_choices (centre_code, hour_before_reminder, call_ahead_places, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (centre_code) DO UPDATE SET hour_before_reminder = $2, call_ahead_places = $3, changed_by = $4, changed_at = $5`,
        [centreCode, choices.hourBeforeReminder, choices.callAheadPlaces, actor, event.occurredAt],
      );
      await this.audit.append(client, event);
    });
  }
}
