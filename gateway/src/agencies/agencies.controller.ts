import { Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { AgencyDefinition } from '../../../contracts/src/catalogue.types';
import type { Agency, AgencyList, AgencyModeChange, BookingBulkResult } from '../../../contracts/src/message.types';
import { AgencyModes } from '../../../core/agencies/agency-modes';
import { PauseReplay } from '../../../core/agencies/use-cases/pause-replay';
import { SetAgencyMode } from '../../../core/agencies/use-cases/set-agency-mode';
import { BulkChangeBookings } from '../../../core/bookings/use-cases/bulk-change-bookings';
import { Clock } from '../../../core/shared/clock';
import { DomainError } from '../../../core/shared/errors';
import { TransactionRepository } from '../../../core/transactions/transaction.repository';
import { CurrentPrincipal, Can, type Principal } from '../auth';
import { AgencyRegistry } from '../../../adapters/registry';
import { Catalogue } from '../../../contracts/src/catalogue';
import { RetryQueue } from '../../../core/retry-queue/retry-queue.port';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ApiProblemResponse } from '../docs/problem.schema';
import { ValidBody } from '../http/valid-body';
import { agencyModeView, replayView } from './agency-mode.view';

@ApiTags('agencies')
@ApiBearerAuth()
@Controller('v1/agencies')
export class AgenciesController {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly registry: AgencyRegistry,
    private readonly retries: RetryQueue,
    private readonly transactions: TransactionRepository,
    private readonly modes: AgencyModes,
    private readonly setAgencyMode: SetAgencyMode,
    private readonly pauseReplay: PauseReplay,
    private readonly bookings: BulkChangeBookings,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Can('agency.read')
  @ApiOperation({ summary: 'Each agency with its breaker state, mode, load and queue depth' })
  @ApiMessageResponse(200, 'agency-list')
  async list(): Promise<AgencyList> {
    const items = await Promise.all(this.catalogue.agencies.map((agency) => this.describe(agency, false)));
    return { items };
  }

  @Get(':code')
  @Can('agency.read')
  @ApiOperation({ summary: 'One agency: breaker, mode (auto | manual | maintenance, or degraded) and replay progress' })
  @ApiParam({ name: 'code', example: 'nrb' })
  @ApiMessageResponse(200, 'agency')
  @ApiProblemResponse(404, 'No such agency')
  async get(@Param('code') code: string): Promise<Agency> {
    return this.describe(this.agency(code), true);
  }

  @Put(':code/mode')
  @Can('agency.operate')
  @ApiOperation({
    summary: 'Switch an agency to auto, manual (with reason) or maintenance (with window); audited',
    description: 'Body: `{"mode": "manual", "reason": "NRB system down since 09:10"}` or `{"mode": "maintenance", "reason": "…", "window": {"start": "…", "end": "…"}}`.',
  })
  @ApiParam({ name: 'code', example: 'nrb' })
  @ApiMessageResponse(200, 'agency', 'The agency with its new mode')
  @ApiProblemResponse(404, 'No such agency')
  @ApiProblemResponse(422, 'Unknown mode, reason missing or too long, bad or missing maintenance window (fields named)')
  async setMode(
    @Param('code') code: string,
    @ValidBody('agency-mode-change') change: AgencyModeChange,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Agency> {
    await this.setAgencyMode.execute({ agencyCode: this.agency(code).code, change, actor: principal });
    // Citizens booked inside a scheduled window hear of it, with the nearest free time after it (issue 14.2).
    if (change.mode === 'maintenance' && change.window) {
      await this.bookings.offer(this.agency(code).code, { start: new Date(change.window.start), end: new Date(change.window.end) });
    }
    return this.describe(this.agency(code), true);
  }

  @Get(':code/maintenance/bookings')
  @Can('booking.bulk-change')
  @ApiOperation({
    summary: "The bookings inside the agency's scheduled maintenance window, and the nearest free slot each would move to",
    description: 'A dry run of `POST /v1/bookings/bulk-change` over the window (nothing changes); a manager bound to a centre sees that centre only.',
  })
  @ApiParam({ name: 'code', example: 'nrb' })
  @ApiMessageResponse(200, 'booking-bulk-result')
  @ApiProblemResponse(404, 'No such agency')
  @ApiProblemResponse(409, 'The agency has no maintenance window scheduled')
  async maintenanceBookings(@Param('code') code: string, @CurrentPrincipal() principal: Principal): Promise<BookingBulkResult> {
    const agency = this.agency(code);
    const setting = await this.modes.setting(agency.code);
    return this.bookings.plannedMoves(agency.code, setting.mode === 'maintenance' ? setting.window : null, principal);
  }

  @Post(':code/replay/pause')
  @HttpCode(200)
  @Can('agency.operate')
  @ApiOperation({ summary: "Pause the replay of an agency's stored backlog; audited" })
  @ApiParam({ name: 'code', example: 'nrb' })
  @ApiMessageResponse(200, 'agency')
  @ApiProblemResponse(404, 'No such agency')
  async pause(@Param('code') code: string, @CurrentPrincipal() principal: Principal): Promise<Agency> {
    await this.pauseReplay.execute(this.agency(code).code, true, principal);
    return this.describe(this.agency(code), true);
  }

  @Post(':code/replay/resume')
  @HttpCode(200)
  @Can('agency.operate')
  @ApiOperation({ summary: "Resume the replay of an agency's stored backlog; audited" })
  @ApiParam({ name: 'code', example: 'nrb' })
  @ApiMessageResponse(200, 'agency')
  @ApiProblemResponse(404, 'No such agency')
  async resume(@Param('code') code: string, @CurrentPrincipal() principal: Principal): Promise<Agency> {
    await this.pauseReplay.execute(this.agency(code).code, false, principal);
    return this.describe(this.agency(code), true);
  }

  private agency(code: string): AgencyDefinition {
    const agency = this.catalogue.agency(code);
    if (!agency) throw new DomainError('not_found', 'agency-not-found', `No agency ${code}; see GET /v1/agencies.`);
    return agency;
  }

  private async describe(agency: AgencyDefinition, withReplay: boolean): Promise<Agency> {
    const [depth, open, mode, replay] = await Promise.all([
      this.retries.depth(),
      this.transactions.openCountsByAgency(),
      agencyModeView(this.modes, agency.code),
      replayView(this.modes, this.transactions, agency, this.clock.now()),
    ]);
    const status = this.registry.list().find((s) => s.code === agency.code);
    const counts = open[agency.code] ?? {};
    return {
      code: agency.code,
      name: agency.name,
      kind: agency.adapter.kind,
      mode: mode.effectiveMode,
      modeSetting: mode,
      breaker: status?.breaker ?? 'closed',
      inFlight: status?.inFlight ?? 0,
      queued: status?.queued ?? 0,
      lastFailure: status?.lastFailure ?? null,
      retryQueue: depth[agency.code] ?? { waiting: 0, delayed: 0, active: 0 },
      transactions: {
        received: counts.received ?? 0,
        dispatched: counts.dispatched ?? 0,
        retrying: counts.retrying ?? 0,
        manual: counts.manual ?? 0,
        parked: counts.parked ?? 0,
        conflict: counts.conflict ?? 0,
      },
      ...(withReplay ? { replay } : { replay: { paused: replay.paused, backlog: replay.backlog } }),
      services: agency.services.map((s) => s.code),
    };
  }
}
