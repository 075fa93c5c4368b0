import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DrainNotices } from '../../../core/notifications/use-cases/drain-notices';
import { Scheduler } from './scheduler';

/** How often the worker looks for citizen notices due to be sent. */
export const NOTICE_POLL_MS = 1000;

/** The worker drains the citizen-notice outbox through the SMS driver: a thin periodic job over core. */
@Injectable()
export class NoticeSenderService implements OnApplicationBootstrap {
  private readonly logger = new Logger('CitizenNotices');

  constructor(
    private readonly drain: DrainNotices,
    private readonly scheduler: Scheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.every('citizen-notices', NOTICE_POLL_MS, async () => {
      const { sent, retrying, failed } = await this.drain.drain();
      if (sent + retrying + failed > 0) this.logger.log(`citizen notices: ${sent} sent, ${retrying} to try again, ${failed} given up`);
    });
  }
}
