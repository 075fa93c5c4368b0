import { Logger, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { AuditLog } from '../../../core/audit/audit-log';
import { PublishedKeys } from '../../../core/signing/published-keys';
import { SealFolder } from '../../../core/audit/seal-folder';
import { SealStore } from '../../../core/audit/seal-store';
import { AuditSealer } from '../../../core/audit/sealer';
import { AuditVerifier } from '../../../core/audit/verify-audit';
import { Clock } from '../../../core/shared/clock';
import { StatementSigner } from '../../../core/signing/signed-statement';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DB_POOL } from '../runtime/tokens';
import { createAuditVerifier } from './audit-verifier.factory';

/** The seal signer, or null when no key is configured (production without KIUNGO_SEAL_KEY): `@Inject(SEAL_SIGNER)`. */
export const SEAL_SIGNER = Symbol('SEAL_SIGNER');
/** The AuditSealer, or null when sealing is off: `@Inject(SEALER)`. */
export const SEALER = Symbol('SEALER');

/** The audit log's trust machinery: seals, the keys that sign them, and verify. */
@Module({
  providers: [
    { provide: SealStore, useValue: new SealStore() },
    { provide: SealFolder, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new SealFolder(config.audit.sealDir) },
    {
      provide: SEAL_SIGNER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.audit.sealKey === undefined ? null : StatementSigner.fromText(config.audit.sealKey)),
    },
    {
      provide: SEALER,
      inject: [DB_POOL, AuditLog, SealStore, SEAL_SIGNER, Clock, SealFolder],
      useFactory: (pool: Pool, audit: AuditLog, store: SealStore, signer: StatementSigner | null, clock: Clock, folder: SealFolder) => {
        const logger = new Logger('AuditSeal');
        return signer ? new AuditSealer(pool, audit, store, signer, clock, folder, (line) => logger.log(line)) : null;
      },
    },
    { provide: PublishedKeys, inject: [SEAL_SIGNER, SealFolder], useFactory: (signer: StatementSigner | null, folder: SealFolder) => new PublishedKeys(signer, folder) },
    {
      provide: AuditVerifier,
      inject: [DB_POOL, AuditLog, PublishedKeys, APP_CONFIG],
      useFactory: (pool: Pool, audit: AuditLog, keys: PublishedKeys, config: AppConfig) => createAuditVerifier(pool, audit, keys, config.audit.verifyWorkers),
    },
  ],
  exports: [SealStore, SealFolder, SEAL_SIGNER, SEALER, PublishedKeys, AuditVerifier],
})
export class AuditCoreModule {}
