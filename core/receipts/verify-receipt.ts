import { DEFAULT_TIME_ZONE } from '../centres/domain/centre';
import { localDate } from '../centres/domain/local-time';
import type { Clock } from '../shared/clock';
import type { PublishedKeys } from '../signing/published-keys';
import type { TrustedKeys } from '../signing/signed-statement';
import { applicationProgress, type ApplicationProgress } from '../transactions/domain/application-progress';
import type { TransactionRepository } from '../transactions/transaction.repository';
import { decodeReceipt, type ReceiptStatement } from './receipt';

export type ReceiptVerdict =
  | { genuine: true; keyId: string; statement: ReceiptStatement; application: ApplicationProgress | null }
  | { genuine: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' };

/**
 * Checks a receipt's QR text (scanned or pasted) against the published receipt keys and, when it
 * is genuine, says what became of the application. A receipt that is not genuine says nothing about
 * any application. The trusted keys are read once and again only for a key id not seen yet (a key
 * rotated on another replica), so a check is one signature and at most one row.
 */
export class VerifyReceipt {
  private trusted: TrustedKeys;

  constructor(
    private readonly keys: PublishedKeys,
    private readonly transactions: TransactionRepository,
    private readonly clock: Clock,
  ) {
    this.trusted = keys.trusted();
  }

  async verify(text: string): Promise<ReceiptVerdict> {
    const signed = decodeReceipt(text);
    if (!signed) return { genuine: false, reason: 'malformed' };
    if (!this.trusted.has(signed.keyId)) this.trusted = this.keys.trusted();
    const check = this.trusted.check(signed);
    if (check !== 'valid') return { genuine: false, reason: check };
    const tx = await this.transactions.find(signed.statement.tx);
    const application = tx ? applicationProgress(tx, localDate(this.clock.now(), DEFAULT_TIME_ZONE)) : null;
    return { genuine: true, keyId: signed.keyId, statement: signed.statement, application };
  }
}
