import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { AuditLog } from '../../../core/audit/audit-log';
import { PgAuditQueries } from '../../../core/audit/pg/audit-queries.pg';
import { ReadAudit } from '../../../core/audit/use-cases/read-audit';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { DB_POOL } from '../runtime/tokens';
import { AuditController, AuditKeysController } from './audit.controller';
import { AuditCoreModule } from './audit-core.module';

/** GET /v1/audit/…, GET /v1/transactions/{id}/events, POST /v1/audit/seals. */
@Module({
  imports: [AuditCoreModule],
  providers: [
    {
      provide: ReadAudit,
      inject: [DB_POOL, AuditLog, PersonalDataVault],
      useFactory: (pool: Pool, audit: AuditLog, vault: PersonalDataVault) => new ReadAudit(new PgAuditQueries(pool), audit, pool, vault),
    },
  ],
  controllers: [AuditController, AuditKeysController],
})
export class AuditModule {}
