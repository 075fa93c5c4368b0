import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { AnswerStatusSms } from '../../../core/follow-up/answer-status-sms';
import { FollowApplication } from '../../../core/follow-up/follow-application';
import { PhoneRateLimit } from '../../../core/follow-up/phone-rate-limit';
import { Notifier } from '../../../core/notifications/notifier.port';
import { Clock } from '../../../core/shared/clock';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { TransactionRepository } from '../../../core/transactions/transaction.repository';
import { NotificationsModule } from '../notifications/notifications.module';
import { DB_POOL } from '../runtime/tokens';
import { TransactionsCoreModule } from '../transactions/transactions-core.module';

/** Ten status look-ups per phone and hour, USSD and SMS together: enough for a citizen, too few to walk through references. */
export const STATUS_LOOKUPS_PER_HOUR = 10;

/** "Where is my application?": the look-up (with its per-phone limit) the USSD menu and the SMS keyword share. */
@Module({
  imports: [TransactionsCoreModule, NotificationsModule],
  providers: [
    {
      provide: FollowApplication,
      inject: [TransactionRepository, DB_POOL, PersonalDataVault, Clock],
      useFactory: (transactions: TransactionRepository, pool: Pool, vault: PersonalDataVault, clock: Clock) =>
        new FollowApplication(transactions, new PhoneRateLimit(pool, { limit: STATUS_LOOKUPS_PER_HOUR, windowMs: 3_600_000 }), vault, clock),
    },
    {
      provide: AnswerStatusSms,
      inject: [FollowApplication, Notifier],
      useFactory: (applications: FollowApplication, notifier: Notifier) => new AnswerStatusSms(applications, notifier),
    },
  ],
  exports: [FollowApplication, AnswerStatusSms],
})
export class FollowUpCoreModule {}
