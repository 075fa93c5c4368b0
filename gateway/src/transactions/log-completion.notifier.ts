import { Logger } from '@nestjs/common';
import { CompletionNotifier, type CompletionNotice } from '../../../core/transactions/completion-notifier.port';

/**
 * The citizen notice when a stored transaction completes on replay. The notice itself is kept in
 * `citizen_notices` (once per transaction) before this runs; this driver only logs, without
 * personal data. Production SMS goes through core/notifications once it has this template.
 */
export class LogCompletionNotifier extends CompletionNotifier {
  private readonly logger = new Logger('CitizenNotice');

  async transactionCompleted(notice: CompletionNotice): Promise<void> {
    this.logger.log(`transaction ${notice.transactionId} (${notice.provisionalRef ?? 'no provisional ref'}) completed as ${notice.agencyRef}`);
  }
}
