import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Liveness, Readiness } from '../../../contracts/src/message.types';
import { ApiMessageResponse } from '../docs/message-schemas';
import { Public } from '../auth';
import { RateLimitPer } from '../http/rate-limit.guard';
import type { Pool } from 'pg';
import type { ProcessRole } from '../config/app-config';
import { DB_POOL, PROCESS_ROLE, REDIS_PING } from '../runtime/tokens';

type Check = Readiness['checks']['database'];

const CHECK_TIMEOUT_MS = 2000;

@ApiTags('health')
@Controller('health')
// Probes come from the orchestrator, often and from one address: they spend no one's budget.
@RateLimitPer('none')
export class HealthController {
  constructor(
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
    @Inject(DB_POOL) private readonly pool: Pool,
    @Inject(REDIS_PING) private readonly redisPing: (() => Promise<void>) | null,
  ) {}

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'The process is up (no dependencies checked)' })
  @ApiMessageResponse(200, 'liveness')
  live(): Liveness {
    return { status: 'ok', role: this.role };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'The process can serve: database and, when configured, Redis answer' })
  @ApiMessageResponse(200, 'readiness', 'Every check is up')
  @ApiMessageResponse(503, 'readiness', 'A check is down (same body, `not_ready`)')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const checks: Readiness['checks'] = { database: await check(() => this.pool.query('SELECT 1').then(() => undefined)) };
    if (this.redisPing) checks.redis = await check(this.redisPing);
    const ready = Object.values(checks).every((c) => c.status === 'up');
    reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }
}

async function check(probe: () => Promise<void>): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    // The reason is ours (timeout, connection refused); it never carries request data.
    return { status: 'down', latencyMs: Math.round(performance.now() - started), detail: (error as Error).message.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}
