import { Module } from '@nestjs/common';
import { CentresController } from './centres.controller';
import { CentresCoreModule } from './centres-core.module';

@Module({ imports: [CentresCoreModule], controllers: [CentresController] })
export class CentresModule {}
