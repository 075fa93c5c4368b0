import { Module } from '@nestjs/common';
import { WalkInCoreModule } from '../walk-in-core.module';
import { KpisController } from './kpis.controller';

@Module({ imports: [WalkInCoreModule], controllers: [KpisController] })
export class KpisModule {}
