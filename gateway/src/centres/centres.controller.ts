import { Controller, Get, Param, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { CapacityChange, Centre, CentreDefinition, CentreList } from '../../../contracts/src/message.types';
import { ManageCentres } from '../../../core/centres/use-cases/manage-centres';
import { CurrentPrincipal, Can, type Principal } from '../auth';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ApiProblemResponse } from '../docs/problem.schema';
import { ValidBody } from '../http/valid-body';

@ApiTags('centres')
@ApiBearerAuth()
@Controller('v1/centres')
export class CentresController {
  constructor(private readonly centres: ManageCentres) {}

  @Get()
  @Can('centre.read')
  @ApiOperation({ summary: 'All centres (code, name, county, number of services and counters)' })
  @ApiMessageResponse(200, 'centre-list')
  async list(): Promise<CentreList> {
    return { items: await this.centres.list() };
  }

  @Get(':code')
  @Can('centre.read')
  @ApiOperation({ summary: 'A centre: opening hours, holidays, services with slot capacity, counters' })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiProblemResponse(404, 'No such centre')
  @ApiMessageResponse(200, 'centre')
  get(@Param('code') code: string): Promise<Centre> {
    return this.centres.get(code);
  }

  @Put(':code')
  @Can('centre.write')
  @ApiOperation({
    summary: 'Create or replace a centre',
    description: 'Hours and holidays are replaced; `services` and `counters` are replaced when given and kept when left out. 201 when created.',
  })
  @ApiMessageResponse(200, 'centre', 'Replaced')
  @ApiMessageResponse(201, 'centre', 'Created')
  @ApiParam({ name: 'code', example: 'NRB-GPO', description: 'Three capital letters, a dash, 2–12 capitals or digits' })
  @ApiProblemResponse(422, 'Not a valid centre definition (fields named)')
  async put(
    @Param('code') code: string,
    @ValidBody('centre-definition') body: CentreDefinition,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Centre> {
    const { centre, created } = await this.centres.put(code, body, principal);
    reply.status(created ? 201 : 200);
    return centre;
  }

  @Put(':code/capacity')
  @Can('centre.write')
  @ApiOperation({ summary: 'Appointments per slot for one service, from now on (never below places already booked)' })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiProblemResponse(404, 'No such centre')
  @ApiProblemResponse(422, 'Unknown service, or capacity below the places already booked (fields named)')
  @ApiMessageResponse(200, 'centre')
  setCapacity(@Param('code') code: string, @ValidBody('capacity-change') change: CapacityChange, @CurrentPrincipal() principal: Principal): Promise<Centre> {
    return this.centres.setCapacity(code, change, principal);
  }
}
