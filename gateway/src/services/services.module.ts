import { Module } from '@nestjs/common';
import { AgencyModesModule } from '../agencies/agency-modes.module';
import { ServicesController } from './services.controller';

@Module({ imports: [AgencyModesModule], controllers: [ServicesController] })
export class ServicesModule {}
