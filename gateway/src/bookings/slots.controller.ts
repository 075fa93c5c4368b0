import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponse } from '../docs/problem.schema';
import type { FreeSlots, FreeSlotsQuery } from '../../../contracts/src/message.types';
import { ListFreeSlots } from '../../../core/bookings/use-cases/list-free-slots';
import { Can } from '../auth';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ValidQuery } from '../http/valid-query';

@ApiTags('bookings')
@ApiBearerAuth()
@Controller('v1/centres')
export class SlotsController {
  constructor(private readonly slots: ListFreeSlots) {}

  @Get(':code/slots')
  @Can('slot.read')
  @ApiOperation({ summary: 'Free appointment slots of a centre for one service on one local day' })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiMessageResponse(200, 'free-slots')
  @ApiProblemResponse(404, 'No such centre')
  @ApiProblemResponse(422, 'Missing or unknown service, bad date or outside the booking horizon (query fields named)')
  list(@Param('code') code: string, @ValidQuery('free-slots-query') query: FreeSlotsQuery): Promise<FreeSlots> {
    return this.slots.execute({ centreCode: code, serviceCode: query.service, date: query.date });
  }
}
