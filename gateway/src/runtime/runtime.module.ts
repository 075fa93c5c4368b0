import { Global, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { AgencyRegistry } from '../../../adapters/registry';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AuditLog } from '../../../core/audit/audit-log';
import { PersonalDataReads } from '../../../core/audit/personal-data-reads';
import { RetryQueue } from '../../../core/retry-queue/retry-queue.port';
import { Clock } from '../../../core/shared/clock';
import { PersonalDataVault } from '../../../core/shared/personal-data';
import { RateLimiter } from '../http/rate-limiter';
import { KiungoMetrics } from '../metrics/kiungo-metrics';
import type { KiungoRuntime } from './runtime';
import { DB_POOL, ENDPOINT_OVERRIDES, PREPARED_STATEMENTS, PROCESS_ROLE, REDIS_PING } from './tokens';

/** Releases the runtime (queue, agencies, pool, embedded database) when the application closes. */
@Injectable()
class RuntimeLifecycle implements OnApplicationShutdown {
  constructor(private readonly close: () => Promise<void>) {}

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

/**
 * The infrastructure every feature module builds on, each part under its own token: the
 * catalogue, the agency registry, the retry queue, the audit log (and the recorder of unmasked
 * personal-data reads), the vault, the clock and the database pool. It wires no use case: each feature module registers and exports its own.
 */
@Global()
@Module({})
export class RuntimeModule {
  static forRuntime(runtime: KiungoRuntime): DynamicModule {
    const parts = [
      { provide: Catalogue, useValue: runtime.catalogue },
      { provide: AgencyRegistry, useValue: runtime.agencies },
      { provide: RetryQueue, useValue: runtime.retries },
      { provide: AuditLog, useValue: runtime.audit },
      { provide: PersonalDataReads, useValue: new PersonalDataReads(runtime.audit, runtime.pool, runtime.clock) },
      { provide: PersonalDataVault, useValue: runtime.vault },
      { provide: Clock, useValue: runtime.clock },
      { provide: KiungoMetrics, useValue: runtime.metrics },
      { provide: DB_POOL, useValue: runtime.pool },
      { provide: PREPARED_STATEMENTS, useValue: runtime.preparedStatements },
      { provide: PROCESS_ROLE, useValue: runtime.role },
      { provide: REDIS_PING, useValue: runtime.redisPing ?? null },
      { provide: ENDPOINT_OVERRIDES, useValue: runtime.endpointOverrides },
      { provide: RateLimiter, useValue: runtime.rateLimiter },
    ];
    return {
      module: RuntimeModule,
      providers: [...parts, { provide: RuntimeLifecycle, useFactory: () => new RuntimeLifecycle(() => runtime.close()) }],
      exports: parts.map((part) => part.provide),
    };
  }
}
