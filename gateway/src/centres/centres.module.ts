import { Module } from '@nestjs/common';
import { CentresController } from './centres.controller';

@Module({ controllers: [CentresController] })
export class CentresModule {}
