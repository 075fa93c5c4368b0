import { Module } from '@nestjs/common';
import { PrivacyController } from './privacy.controller';
import { PrivacyCoreModule } from './privacy-core.module';

/** POST /v1/privacy/erasures. */
@Module({ imports: [PrivacyCoreModule], controllers: [PrivacyController] })
export class PrivacyModule {}
