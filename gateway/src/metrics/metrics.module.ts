import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AgencyModeRepository } from '../../../core/agencies/agency-mode.repository';
import { CentreActivityQuery } from '../../../core/centres/centre-activity.query';
import { PgCentreActivityQuery } from '../../../core/centres/pg/centre-activity.pg-query';
import { RetryQueue } from '../../../core/retry-queue/retry-queue.port';
import { Clock } from '../../../core/shared/clock';
import { TransactionRepository } from '../../../core/transactions/transaction.repository';
import { AgencyModesModule } from '../agencies/agency-modes.module';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DB_POOL } from '../runtime/tokens';
import { TransactionsCoreModule } from '../transactions/transactions-core.module';
import { registerDatabaseGauges } from './database-gauges';
import { KiungoMetrics } from './kiungo-metrics';
import { MetricsServer } from './metrics-server';

@Injectable()
class MetricsEndpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');

  constructor(
    private readonly server: MetricsServer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.metricsPort === null) return;
    try {
      const port = await this.server.listen(this.config.metricsPort, this.config.host);
      this.logger.log(`Prometheus metrics on http://${this.config.host}:${port}/metrics`);
    } catch (error) {
      // Citizens come first: a taken metrics port is an operator's problem to fix, not a reason to refuse counters.
      this.logger.error(`metrics not served: cannot listen on port ${this.config.metricsPort} (${(error as Error).message})`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.close();
  }
}

/** The worker's scrape-time gauges over the database and the queue (database-gauges.ts). */
@Injectable()
class DatabaseGauges {
  constructor(metrics: KiungoMetrics, catalogue: Catalogue, transactions: TransactionRepository, modes: AgencyModeRepository, retries: RetryQueue, centres: CentreActivityQuery, clock: Clock) {
    registerDatabaseGauges(metrics, { agencyCodes: catalogue.agencies.map((a) => a.code), transactions, modes, retries, centres, clock });
  }
}

/**
 * Serves the process's KiungoMetrics (built with the runtime) on KIUNGO_METRICS_PORT; in the
 * worker role (and `all`) also the gauges read from the database and the queue.
 */
@Module({})
export class MetricsModule {
  static forRole(worker: boolean): DynamicModule {
    return {
      module: MetricsModule,
      imports: worker ? [TransactionsCoreModule, AgencyModesModule] : [],
      providers: [
        { provide: MetricsServer, inject: [KiungoMetrics], useFactory: (metrics: KiungoMetrics) => new MetricsServer(metrics) },
        MetricsEndpoint,
        ...(worker
          ? [{ provide: CentreActivityQuery, inject: [DB_POOL], useFactory: (pool: Pool) => new PgCentreActivityQuery(pool) }, DatabaseGauges]
          : []),
      ],
      exports: [MetricsServer],
    };
  }
}
