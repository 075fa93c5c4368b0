import type { RetryPolicy } from '../../../contracts/src/catalogue.types';
import { retryDelayMs } from '../../retry-queue/backoff';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { NoticeOutbox } from '../notice-outbox';
import type { Notifier } from '../notifier.port';

/** Tries per notice, and the wait between them (full jitter, as agency retries): about 8 hours in all. */
export const NOTICE_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 5_000, maxDelayMs: 3_600_000 };
/** How long a claimed notice is hidden from other drainers while it is being sent. */
export const NOTICE_LEASE_MS = 60_000;
const BATCH = 50;

export interface DrainReport {
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * The worker drains the citizen notices (the outbox) through the configured SMS driver: due notices
 * are claimed, sent, and marked sent; a failure is tried again later with back-off, and after
 * NOTICE_RETRY.maxAttempts the notice is marked `failed` with the provider's reason (never the phone).
 */
export class DrainNotices {
  constructor(
    private readonly outbox: NoticeOutbox,
    private readonly notifier: Notifier,
    private readonly vault: PersonalDataVault,
    private readonly random: () => number = Math.random,
  ) {}

  /** Sends what is due, batch after batch, until nothing is due. */
  async drain(stopping: () => boolean = () => false): Promise<DrainReport> {
    const report: DrainReport = { sent: 0, retrying: 0, failed: 0 };
    while (!stopping()) {
      const due = await this.outbox.claimDue(BATCH, NOTICE_LEASE_MS);
      for (const notice of due) {
        const receipt = await this.notifier.deliver({ to: this.vault.open<string>(notice.phoneSealed), kind: notice.kind, text: notice.text });
        if (receipt.status !== 'failed') {
          await this.outbox.markSent(notice.id, receipt.providerRef);
          report.sent++;
          continue;
        }
        const last = notice.attempts >= NOTICE_RETRY.maxAttempts;
        await this.outbox.markFailed(notice.id, receipt.error ?? 'failed', last ? null : retryDelayMs(notice.attempts, NOTICE_RETRY, this.random));
        if (last) report.failed++;
        else report.retrying++;
      }
      if (due.length < BATCH) break;
    }
    return report;
  }
}
