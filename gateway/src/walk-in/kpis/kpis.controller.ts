import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiMessageResponse } from '../../docs/message-schemas';
import { ApiProblemResponse } from '../../docs/problem.schema';
import type { CentreDayKpis, RangeKpis } from '../../../../contracts/src/message.types';
import { QueueKpis } from '../../../../core/walk-in/use-cases/queue-kpis';
import { Roles } from '../../auth';

const KPI_DEFINITIONS =
  'Derived from the queue\'s events. Seconds; p90 = continuous 90th percentile. Waiting = first call − arrival; service = completion − call; ' +
  'session = counter open → close (open sessions up to now); idle = session − time spent on called tickets; bookings = checked-in appointments.';

@ApiTags('kpis')
@ApiBearerAuth()
@Controller('v1')
export class KpisController {
  constructor(private readonly kpis: QueueKpis) {}

  @Get('centres/:code/kpis')
  @Roles('manager', 'operator', 'auditor', 'admin')
  @ApiOperation({ summary: "One centre's queue KPIs for a local day: the day, each counter (and its hours), each officer", description: KPI_DEFINITIONS })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiQuery({ name: 'date', required: false, schema: { type: 'string', format: 'date' }, description: 'YYYY-MM-DD, the centre\'s local date; default today' })
  @ApiMessageResponse(200, 'centre-day-kpis')
  @ApiProblemResponse(404, 'No such centre')
  @ApiProblemResponse(422, 'Not a date (query field named)')
  centreDay(@Param('code') code: string, @Query('date') date: string | undefined): Promise<CentreDayKpis> {
    return this.kpis.centreDay(code, date);
  }

  @Get('kpis')
  @Roles('manager', 'operator', 'auditor', 'admin')
  @ApiOperation({ summary: 'Queue KPIs of every centre per day over a range (at most 92 days), with totals', description: KPI_DEFINITIONS })
  @ApiQuery({ name: 'from', required: true, schema: { type: 'string', format: 'date', example: '2026-11-01' } })
  @ApiQuery({ name: 'to', required: true, schema: { type: 'string', format: 'date', example: '2026-11-30' } })
  @ApiMessageResponse(200, 'range-kpis')
  @ApiProblemResponse(422, 'Missing or bad dates, `to` before `from`, or more than 92 days (query fields named)')
  range(@Query('from') from: string | undefined, @Query('to') to: string | undefined): Promise<RangeKpis> {
    return this.kpis.range(from, to);
  }
}
