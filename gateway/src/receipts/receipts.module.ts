import { Module } from '@nestjs/common';
import { ReceiptsController } from './receipts.controller';
import { ReceiptsCoreModule } from './receipts-core.module';

/** GET /v1/receipts/verify, GET /v1/receipts/keys and the /verify page. */
@Module({ imports: [ReceiptsCoreModule], controllers: [ReceiptsController] })
export class ReceiptsModule {}
