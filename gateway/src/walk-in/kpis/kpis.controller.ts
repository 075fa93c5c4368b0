import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiMessageResponse } from '../../docs/message-schemas';
import { ApiProblemResponse } from '../../docs/problem.schema';
import { ValidQuery } from '../../http/valid-query';
import type { CentreDayKpis, CentreKpiQuery, KpiRangeQuery, RangeKpis } from '../../../../contracts/src/message.types';
import { QueueKpis } from '../../../../core/walk-in/use-cases/queue-kpis';
import { Can, CurrentPrincipal, type Principal } from '../../auth';

const KPI_DEFINITIONS =
  'Derived from the queue\'s events. Seconds; p90 = continuous 90th percentile. Waiting = first call − arrival; service = completion − call; ' +
  'session = counter open → close (open sessions up to now); idle = session − time spent on called tickets; bookings = checked-in appointments.';

@ApiTags('kpis')
@ApiBearerAuth()
@Controller('v1')
export class KpisController {
  constructor(private readonly kpis: QueueKpis) {}

  @Get('centres/:code/kpis')
  @Can('kpi.read')
  @ApiOperation({ summary: "One centre's queue KPIs for a local day: the day, each counter (and its hours), each officer", description: KPI_DEFINITIONS })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiMessageResponse(200, 'centre-day-kpis')
  @ApiProblemResponse(404, 'No such centre')
  @ApiProblemResponse(422, 'Not a date (query field named)')
  centreDay(@Param('code') code: string, @ValidQuery('centre-kpi-query') query: CentreKpiQuery, @CurrentPrincipal() principal: Principal): Promise<CentreDayKpis> {
    return this.kpis.centreDay(code, query.date, principal);
  }

  @Get('kpis')
  @Can('kpi.read')
  @ApiOperation({ summary: 'Queue KPIs of every centre per day over a range (at most 92 days), with totals', description: KPI_DEFINITIONS })
  @ApiMessageResponse(200, 'range-kpis')
  @ApiProblemResponse(422, 'Missing or bad dates, `to` before `from`, or more than 92 days (query fields named)')
  range(@ValidQuery('kpi-range-query') query: KpiRangeQuery, @CurrentPrincipal() principal: Principal): Promise<RangeKpis> {
    return this.kpis.range(query.from, query.to, principal);
  }
}
