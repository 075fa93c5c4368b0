/**
 * Tells a citizen that a transaction they left with a provisional reference has now reached the
 * agency (issue 4, "citizen notice"). Minimal port of our own: core/notifications' Notifier has no
 * template for it yet; the gateway binds a driver (log/outbox in embedded mode).
 */
export interface CompletionNotice {
  transactionId: string;
  /** E.164; personal data: never logged. Absent when the citizen gave no phone. */
  phone?: string;
  provisionalRef: string | null;
  agencyRef: string;
  serviceCode: string;
}

export abstract class CompletionNotifier {
  /** Must not throw for a provider failure: the transaction is complete whatever the SMS does. */
  abstract transactionCompleted(notice: CompletionNotice): Promise<void>;
}
