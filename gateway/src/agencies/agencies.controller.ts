import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TransactionRepository } from '../../../core/transactions/transaction.repository';
import { Roles } from '../auth';
import { KIUNGO_RUNTIME, type KiungoRuntime } from '../runtime/runtime';

@ApiTags('agencies')
@ApiBearerAuth()
@Controller('v1/agencies')
export class AgenciesController {
  constructor(
    @Inject(KIUNGO_RUNTIME) private readonly runtime: KiungoRuntime,
    private readonly transactions: TransactionRepository,
  ) {}

  @Get()
  @Roles('operator', 'manager', 'admin', 'auditor')
  @ApiOperation({ summary: 'Each agency with its breaker state, mode, load and queue depth' })
  async list(): Promise<{ items: unknown[] }> {
    const [depth, open] = await Promise.all([this.runtime.retries.depth(), this.transactions.openCountsByAgency()]);
    const live = new Map(this.runtime.agencies.list().map((status) => [status.code, status]));
    const items = this.runtime.catalogue.agencies.map((agency) => {
      const status = live.get(agency.code);
      const counts = open[agency.code] ?? {};
      return {
        code: agency.code,
        name: agency.name,
        kind: agency.adapter.kind,
        mode: 'auto',
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
        },
        services: agency.services.map((s) => s.code),
      };
    });
    return { items };
  }
}
