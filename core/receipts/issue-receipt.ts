import type { StatementSigner } from '../signing/signed-statement';
import { encodeReceipt, receiptStatement, type ReceiptFacts } from './receipt';

/** Signs the statement of a citizen's receipt into its QR text; none without a receipt key. */
export class ReceiptIssuer {
  constructor(private readonly signer: StatementSigner | null) {}

  get keyId(): string | null {
    return this.signer?.keyId ?? null;
  }

  issue(facts: ReceiptFacts): string | null {
    return this.signer ? encodeReceipt(this.signer.sign(receiptStatement(facts))) : null;
  }
}
