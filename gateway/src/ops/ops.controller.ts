import { Controller, Get, HttpCode, Inject, Post, Req, Res, type BeforeApplicationShutdown } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AgencyRegistry } from '../../../adapters/registry';
import type { OpsOverview, OpsSession } from '../../../contracts/src/message.types';
import { GetOpsOverview } from '../../../core/ops/use-cases/ops-overview';
import { DomainError } from '../../../core/shared/errors';
import { Can, mintDevToken, Public } from '../auth';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ApiProblemResponse } from '../docs/problem.schema';
import { openServerSentEvents } from '../http/sse';
import { opsPage } from './ops-page';
import { OpsQueueBoard, sessionCookie } from './ops-queues';
import { SharedRead } from './shared-read';

/** The queue board's cookie lives as long as a working day; the token inside it may end sooner. */
const SESSION_COOKIE_SECONDS = 8 * 3600;

/** How often an open /ops stream gets a fresh overview (and at once on a breaker change). */
export const OPS_STREAM_EVERY_MS = 2000;

/**
 * The operations room: the /ops page, its read model and its live stream. Actions on agencies go
 * through the API's own routes (PUT /v1/agencies/{code}/mode, …/replay/pause|resume,
 * POST /v1/replay-tasks), which authorize and audit them.
 */
@ApiTags('operations')
@Controller()
export class OpsController implements BeforeApplicationShutdown {
  private readonly open = new Set<() => void>();
  /** The streams' overview: one read per period for all of this replica's viewers, fresh after a breaker change. */
  private readonly streamed: SharedRead<OpsOverview>;
  private readonly stopInvalidating: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly overview: GetOpsOverview,
    private readonly registry: AgencyRegistry,
    private readonly queueBoard: OpsQueueBoard,
  ) {
    this.streamed = new SharedRead(() => this.overview.execute(), OPS_STREAM_EVERY_MS / 2);
    // Registered before any stream's listener, so the streams' pushes after a change read afresh.
    this.stopInvalidating = this.registry.onBreakerChange(() => this.streamed.invalidate());
  }

  @Get('ops')
  @Public()
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'The operations room page (signs in with a bearer token; holds no data itself)' })
  @ApiResponse({ status: 200, description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } })
  page(@Res({ passthrough: true }) reply: FastifyReply): string {
    reply.type('text/html; charset=utf-8');
    reply.header('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'");
    reply.header('cache-control', 'no-store');
    return opsPage({ devSignIn: this.config.mode === 'embedded', queueBoard: this.queueBoard.mounted });
  }

  @Post('ops/dev-sign-in')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary: 'Embedded mode only: an operator token from the development key, for /ops on a laptop',
    description: 'Production answers 404: operators sign in through Keycloak (client kiungo-ops) and paste or carry their token.',
  })
  @ApiMessageResponse(200, 'ops-session')
  @ApiProblemResponse(404, 'Not in embedded mode')
  async devSignIn(): Promise<OpsSession> {
    if (this.config.mode !== 'embedded') throw new DomainError('not_found', 'dev-sign-in-off', 'The development sign-in exists in embedded mode only.');
    const subject = 'dev-operator';
    return { token: await mintDevToken({ role: 'operator', subject, expiresIn: '8h' }, this.config), role: 'operator', subject };
  }

  @Post('ops/session')
  @HttpCode(204)
  @Can('ops.read')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Carries the /ops sign-in to the BullMQ board at /ops/queues',
    description: 'Sets an HttpOnly, SameSite=Strict cookie holding the bearer token, for the path /ops/queues only (the board cannot send a header). Production mode.',
  })
  @ApiResponse({ status: 204, description: 'Cookie set' })
  session(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    const token = (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    reply.header('set-cookie', sessionCookie(token, SESSION_COOKIE_SECONDS, request.protocol === 'https'));
  }

  @Post('ops/sign-out')
  @HttpCode(204)
  @Public()
  @ApiOperation({ summary: "Drops the queue board's cookie (the page forgets its token itself)" })
  @ApiResponse({ status: 204, description: 'Cookie cleared' })
  signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    reply.header('set-cookie', sessionCookie('', 0, request.protocol === 'https'));
  }

  @Get('v1/ops/overview')
  @Can('ops.read')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Every agency, centre, worker and recent alert, as the operations room sees them' })
  @ApiMessageResponse(200, 'ops-overview')
  get(): Promise<OpsOverview> {
    return this.overview.execute();
  }

  @Get('v1/ops/stream')
  @Can('ops.read')
  @ApiBearerAuth()
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary: 'The overview as server-sent events: an `overview` event (ops-overview.v1.json) every 2 s and at once when a breaker changes',
    description: 'Needs the bearer token, so browsers read it with fetch rather than EventSource (the /ops page does).',
  })
  @ApiResponse({ status: 200, description: 'A stream of `overview` events that stays open', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  async stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let sending = false;
    let again = false;
    const stopBreakers = this.registry.onBreakerChange(() => void push());
    const close = () => events.end();
    const end = () => {
      this.open.delete(close);
      clearTimeout(timer);
      stopBreakers();
    };
    this.open.add(close);
    const events = openServerSentEvents(request, reply, end);
    // One overview at a time per stream; a change during a read asks for one more right after it.
    const push = async (): Promise<void> => {
      if (events.ended) return;
      if (sending) {
        again = true;
        return;
      }
      sending = true;
      clearTimeout(timer);
      try {
        events.send('overview', await this.streamed.get());
      } catch {
        // a failed read (the database restarting) is tried again at the next tick
      } finally {
        sending = false;
        if (!events.ended) timer = setTimeout(() => void push(), again ? 0 : OPS_STREAM_EVERY_MS);
        again = false;
      }
    };
    await push();
  }

  beforeApplicationShutdown(): void {
    this.stopInvalidating();
    for (const end of [...this.open]) end();
  }
}
