import { Module } from '@nestjs/common';
import { FollowUpCoreModule } from './follow-up-core.module';
import { SmsController } from './sms.controller';

/** POST /v1/channels/sms: the SMS keyword of "Where is my application?" (the USSD entry is in UssdModule). */
@Module({ imports: [FollowUpCoreModule], controllers: [SmsController] })
export class FollowUpModule {}
