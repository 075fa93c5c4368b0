import { Module } from '@nestjs/common';
import { CentresController } from './centres.controller';
import { CentresCoreModule } from './centres-core.module';
import { NoticeChoicesController } from './notice-choices.controller';

@Module({ imports: [CentresCoreModule], controllers: [CentresController, NoticeChoicesController] })
export class CentresModule {}
