import { Module } from '@nestjs/common';
import { WalkInCoreModule } from '../walk-in-core.module';
import { CountersController } from './counters.controller';

@Module({ imports: [WalkInCoreModule], controllers: [CountersController] })
export class CountersModule {}
