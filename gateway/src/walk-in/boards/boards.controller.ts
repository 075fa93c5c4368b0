import { Controller, Get, Inject, Param, Req, Res, type BeforeApplicationShutdown } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponse } from '../../docs/problem.schema';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CentreRepository } from '../../../../core/centres/centre.repository';
import { BoardFeed, type BoardMessage } from '../../../../core/walk-in/board-feed';
import { centreNamed } from '../../../../core/walk-in/use-cases/queue-access';
import { Public } from '../../auth';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DomainError } from '../../../../core/shared/errors';
import { openServerSentEvents } from '../../http/sse';
import { boardPage } from './board-page';

/** Retry-After for a refused stream: time enough for one of the client's streams to close. */
const STREAM_RETRY_SECONDS = 30;

/**
 * Live boards. Public on purpose: a board shows what the hall screen shows anyway (ticket numbers,
 * counter numbers, queue lengths — never a name or an ID number), and a browser's EventSource
 * cannot send an Authorization header, so a token would have to travel in the URL and its logs.
 */
@ApiTags('queue')
@Controller()
export class BoardsController implements BeforeApplicationShutdown {
  /** Ends every open stream, so that shutdown does not wait for boards that never hang up. */
  private readonly open = new Set<() => void>();
  /** Open streams per client (its address: boards are public), capped at KIUNGO_BOARD_STREAMS_PER_CLIENT. */
  private readonly streamsOf = new Map<string, number>();

  constructor(
    private readonly board: BoardFeed,
    private readonly centres: CentreRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('v1/centres/:code/board')
  @Public()
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary: "A centre's live board as server-sent events (public: numbers only)",
    description:
      'First a `snapshot` event (waiting per service, tickets at counters), then `called` {number, counter, service, recall, at} and ' +
      '`waiting` {waiting: {service: count}, at} and `notices` {notices: [service-notice], at} (the services whose agency is down, all of them each time) ' +
      'as they happen, from every api replica. Comment lines every 15 s keep the connection open.',
  })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiResponse({
    status: 200,
    description: 'A stream of server-sent events (`snapshot`, `called`, `waiting`) that stays open',
    content: { 'text/event-stream': { schema: { type: 'string', example: 'event: called\ndata: {"number":"A042","counter":"3"}\n\n' } } },
  })
  @ApiProblemResponse(404, 'No such centre (before the stream starts)')
  @ApiProblemResponse(429, 'Too many open streams from this client (`too-many-board-streams`), or over its rate limit')
  async stream(@Param('code') code: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const centre = await centreNamed(this.centres, code); // 404 as problem+json, before the stream starts
    const client = request.ip;
    const streams = this.streamsOf.get(client) ?? 0;
    if (streams >= this.config.abuse.boardStreamsPerClient) {
      throw new DomainError('rate_limited', 'too-many-board-streams', `This client already has ${streams} board streams open; close one first.`, {
        retryAfterSeconds: STREAM_RETRY_SECONDS,
      });
    }
    // Taken now, before any await, so that concurrent opens cannot pass the cap together.
    this.streamsOf.set(client, streams + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.streamsOf.get(client) ?? 1) - 1;
      if (left > 0) this.streamsOf.set(client, left);
      else this.streamsOf.delete(client);
    };
    let ready = false;
    const early: BoardMessage[] = [];
    const close = (): void => events.end();
    // Subscribe before reading the snapshot, so nothing that happens in between is missed.
    let subscription;
    try {
      subscription = await this.board.subscribe(centre.code, (message) => (ready ? events.send(message.type, message) : early.push(message)));
    } catch (error) {
      release();
      throw error;
    }
    let snapshot;
    try {
      snapshot = await this.board.snapshot(centre.code);
    } catch (error) {
      release();
      await subscription.unsubscribe();
      throw error;
    }

    this.open.add(close);
    const events = openServerSentEvents(request, reply, () => {
      this.open.delete(close);
      release();
      void subscription.unsubscribe();
    });
    events.send('snapshot', { centre: centre.code, ...snapshot });
    for (const message of early.splice(0)) events.send(message.type, message);
    ready = true;
  }

  @Get('boards/:code')
  @Public()
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'A plain HTML board for a hall screen; it follows the SSE stream above' })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiResponse({ status: 200, description: 'The board page', content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiProblemResponse(404, 'No such centre')
  async page(@Param('code') code: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const centre = await centreNamed(this.centres, code);
    reply.type('text/html; charset=utf-8');
    reply.header('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'");
    return boardPage(centre.code, centre.name);
  }

  beforeApplicationShutdown(): void {
    for (const end of [...this.open]) end();
  }

  /** Open streams (tests check that a disconnected board is cleaned up). */
  openStreams(): number {
    return this.open.size;
  }
}
