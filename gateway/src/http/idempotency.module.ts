import { Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { IdempotencyRepository } from '../../../core/idempotency/idempotency.repository';
import { PgIdempotencyRepository } from '../../../core/idempotency/pg/idempotency.pg-repository';
import { RunOnce } from '../../../core/idempotency/use-cases/run-once';
import { DB_POOL } from '../runtime/tokens';

/** `Idempotency-Key` on the POSTs that create something: import it where a controller uses the IdempotencyKeyGuard and answerOnce. */
@Module({
  providers: [
    { provide: IdempotencyRepository, inject: [DB_POOL], useFactory: (pool: Pool) => new PgIdempotencyRepository(pool) },
    { provide: RunOnce, inject: [IdempotencyRepository], useFactory: (keys: IdempotencyRepository) => new RunOnce(keys) },
  ],
  exports: [IdempotencyRepository, RunOnce],
})
export class IdempotencyModule {}
