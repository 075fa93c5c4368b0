import { Module } from '@nestjs/common';
import { CentresCoreModule } from '../../centres/centres-core.module';
import { WalkInCoreModule } from '../walk-in-core.module';
import { BoardsController } from './boards.controller';

@Module({ imports: [WalkInCoreModule, CentresCoreModule], controllers: [BoardsController] })
export class BoardsModule {}
