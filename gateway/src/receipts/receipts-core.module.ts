import { Logger, Module } from '@nestjs/common';
import { ReceiptIssuer } from '../../../core/receipts/issue-receipt';
import { VerifyReceipt } from '../../../core/receipts/verify-receipt';
import { Clock } from '../../../core/shared/clock';
import { KeyFolder, PublishedKeys } from '../../../core/signing/published-keys';
import { StatementSigner } from '../../../core/signing/signed-statement';
import { TransactionRepository } from '../../../core/transactions/transaction.repository';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { TransactionsCoreModule } from '../transactions/transactions-core.module';

/** The receipt keys Kiungo publishes (GET /v1/receipts/keys): `@Inject(RECEIPT_KEYS) keys: PublishedKeys`. */
export const RECEIPT_KEYS = Symbol('RECEIPT_KEYS');
const RECEIPT_SIGNER = Symbol('RECEIPT_SIGNER');

/** Citizens' receipts: the key that signs them, the keys that ever did, and the check. */
@Module({
  imports: [TransactionsCoreModule],
  providers: [
    {
      provide: RECEIPT_SIGNER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        if (config.receipts.signingKey === undefined) {
          new Logger('Receipts').error('receipts are UNSIGNED (no QR code): set KIUNGO_RECEIPT_KEY or KIUNGO_RECEIPT_KEY_FILE (README "Receipts that cannot be forged")');
          return null;
        }
        const signer = StatementSigner.fromText(config.receipts.signingKey);
        // Published before the first receipt is signed, and kept after a rotation.
        new KeyFolder(config.receipts.keyDir).publish(signer.published);
        return signer;
      },
    },
    { provide: ReceiptIssuer, inject: [RECEIPT_SIGNER], useFactory: (signer: StatementSigner | null) => new ReceiptIssuer(signer) },
    {
      provide: RECEIPT_KEYS,
      inject: [RECEIPT_SIGNER, APP_CONFIG],
      useFactory: (signer: StatementSigner | null, config: AppConfig) => new PublishedKeys(signer, new KeyFolder(config.receipts.keyDir)),
    },
    {
      provide: VerifyReceipt,
      inject: [RECEIPT_KEYS, TransactionRepository, Clock],
      useFactory: (keys: PublishedKeys, transactions: TransactionRepository, clock: Clock) => new VerifyReceipt(keys, transactions, clock),
    },
  ],
  exports: [ReceiptIssuer, RECEIPT_KEYS, VerifyReceipt],
})
export class ReceiptsCoreModule {}
