import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Catalogue } from '../../../contracts/src/catalogue';
import { AgencyCallWindow } from '../../../core/agencies/agency-call-window';
import { AgencyHealthProbe } from '../../../core/agencies/agency-health.port';
import { AgencyModes } from '../../../core/agencies/agency-modes';
import type { AlertChannel } from '../../../core/alerts/alert-channel.port';
import { AlertRepository } from '../../../core/alerts/alert.repository';
import { EmailAlertChannel } from '../../../core/alerts/channels/email-alert.channel';
import { SmsAlertChannel } from '../../../core/alerts/channels/sms-alert.channel';
import { WebhookAlertChannel } from '../../../core/alerts/channels/webhook-alert.channel';
import { EvaluateAlerts } from '../../../core/alerts/use-cases/evaluate-alerts';
import { Notifier } from '../../../core/notifications/notifier.port';
import { Clock } from '../../../core/shared/clock';
import { TransactionRepository } from '../../../core/transactions/transaction.repository';
import { AgencyModesModule } from '../agencies/agency-modes.module';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { NotificationsModule } from '../notifications/notifications.module';
import { TransactionsCoreModule } from '../transactions/transactions-core.module';
import { Scheduler, SchedulerModule, type PeriodicJob } from '../worker/scheduler';
import { AlertsCoreModule } from './alerts-core.module';

/** The channels KIUNGO_ALERT_* configures; none is fine (alerts are still audited and shown on /ops). */
export function alertChannels(config: AppConfig['alerts'], notifier: Notifier): AlertChannel[] {
  return [
    ...(config.smsTo.length > 0 ? [new SmsAlertChannel(notifier, config.smsTo)] : []),
    ...(config.email ? [new EmailAlertChannel(config.email)] : []),
    ...(config.webhookUrl ? [new WebhookAlertChannel(config.webhookUrl)] : []),
  ];
}

/** The worker's alert pass on the shared scheduler (every KIUNGO_ALERT_INTERVAL_MS); it is also the worker's heartbeat. */
@Injectable()
export class AlertsWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Alerts');
  private job?: PeriodicJob;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly evaluate: EvaluateAlerts,
    private readonly scheduler: Scheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.job = this.scheduler.every('alerts', this.config.alerts.intervalMs, () => this.pass());
    void this.job.runOnce();
  }

  /** One pass now (or the one running). */
  runOnce(): Promise<void> {
    return this.job ? this.job.runOnce() : this.pass();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job?.stop();
    await this.evaluate.stop().catch((error: Error) => this.logger.warn(`could not remove this worker's heartbeat: ${error.message}`));
  }

  private async pass(): Promise<void> {
    const { fired, resolved } = await this.evaluate.execute();
    for (const key of fired) this.logger.warn(`alert firing: ${key}`);
    for (const key of resolved) this.logger.log(`alert resolved: ${key}`);
  }
}

@Module({
  imports: [AlertsCoreModule, AgencyModesModule, TransactionsCoreModule, NotificationsModule, SchedulerModule],
  providers: [
    {
      provide: EvaluateAlerts,
      inject: [APP_CONFIG, Catalogue, AgencyHealthProbe, AgencyCallWindow, TransactionRepository, AgencyModes, AlertRepository, Notifier, Clock],
      useFactory: (
        config: AppConfig,
        catalogue: Catalogue,
        health: AgencyHealthProbe,
        calls: AgencyCallWindow,
        transactions: TransactionRepository,
        modes: AgencyModes,
        alerts: AlertRepository,
        notifier: Notifier,
        clock: Clock,
      ) =>
        new EvaluateAlerts({
          policy: config.alerts.policy,
          agencyCodes: () => catalogue.agencies.map((agency) => agency.code),
          health,
          calls,
          transactions,
          modes,
          alerts,
          channels: alertChannels(config.alerts, notifier),
          clock,
          instance: `worker-${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`,
          log: new Logger('Alerts'),
        }),
    },
    AlertsWorker,
  ],
  exports: [AlertsWorker],
})
export class AlertsWorkerModule {}
