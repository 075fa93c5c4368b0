import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { AfricasTalkingNotifier } from '../../../core/notifications/africastalking.notifier';
import { NotificationLog } from '../../../core/notifications/notification-log';
import { Notifier } from '../../../core/notifications/notifier.port';
import { NoticeOutbox } from '../../../core/notifications/notice-outbox';
import { OutboxNotifier } from '../../../core/notifications/outbox.notifier';
import { DrainNotices } from '../../../core/notifications/use-cases/drain-notices';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DB_POOL, PREPARED_STATEMENTS } from '../runtime/tokens';

/**
 * SMS to citizens: one notifier port; every message is kept in `notifications`, KIUNGO_SMS_DRIVER says
 * whether it also leaves (Africa's Talking). Notices written to the outbox (`citizen_notices`) are
 * sent by the worker (DrainNotices).
 */
@Module({
  providers: [
    {
      provide: NotificationLog,
      inject: [DB_POOL, PersonalDataVault, PREPARED_STATEMENTS],
      useFactory: (pool: Pool, vault: PersonalDataVault, prepared: boolean) => new NotificationLog(pool, vault, prepared),
    },
    {
      provide: Notifier,
      inject: [APP_CONFIG, NotificationLog],
      useFactory: ({ sms }: AppConfig, log: NotificationLog): Notifier =>
        sms.driver === 'africastalking' ? new AfricasTalkingNotifier(sms, log) : new OutboxNotifier(log),
    },
    { provide: NoticeOutbox, inject: [DB_POOL, PersonalDataVault], useFactory: (pool: Pool, vault: PersonalDataVault) => new NoticeOutbox(pool, vault) },
    {
      provide: DrainNotices,
      inject: [NoticeOutbox, Notifier, PersonalDataVault],
      useFactory: (outbox: NoticeOutbox, notifier: Notifier, vault: PersonalDataVault) => new DrainNotices(outbox, notifier, vault),
    },
  ],
  exports: [NotificationLog, Notifier, NoticeOutbox, DrainNotices],
})
export class NotificationsModule {}
