import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AuditLog } from '../../../core/audit/audit-log';
import { PgPersonalDataStore } from '../../../core/privacy/pg/personal-data-store.pg';
import { PersonalDataStore } from '../../../core/privacy/personal-data-store';
import { EraseCitizen } from '../../../core/privacy/use-cases/erase-citizen';
import { PurgeExpiredPersonalData } from '../../../core/privacy/use-cases/purge-expired';
import { Clock } from '../../../core/shared/clock';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DB_POOL } from '../runtime/tokens';

/** Retention and erasure of personal data (core/privacy): the store and its two use cases. */
@Module({
  providers: [
    { provide: PersonalDataStore, inject: [DB_POOL, AuditLog], useFactory: (pool: Pool, audit: AuditLog) => new PgPersonalDataStore(pool, audit) },
    {
      provide: EraseCitizen,
      inject: [PersonalDataStore, PersonalDataVault, Clock],
      useFactory: (store: PersonalDataStore, vault: PersonalDataVault, clock: Clock) => new EraseCitizen(store, vault, clock),
    },
    {
      provide: PurgeExpiredPersonalData,
      inject: [PersonalDataStore, Catalogue, PersonalDataVault, Clock, APP_CONFIG],
      useFactory: (store: PersonalDataStore, catalogue: Catalogue, vault: PersonalDataVault, clock: Clock, config: AppConfig) =>
        new PurgeExpiredPersonalData(store, catalogue, vault, clock, config.retention.defaultDays),
    },
  ],
  exports: [EraseCitizen, PurgeExpiredPersonalData],
})
export class PrivacyCoreModule {}
