import { Controller, Get, Param, Req, Res, type BeforeApplicationShutdown } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponse } from '../../docs/problem.schema';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CentreRepository } from '../../../../core/centres/centre.repository';
import { BoardFeed, type BoardMessage } from '../../../../core/walk-in/board-feed';
import { centreNamed } from '../../../../core/walk-in/use-cases/queue-access';
import { Public } from '../../auth';
import { CORRELATION_ID_HEADER } from '../../http/correlation-id';
import { boardPage } from './board-page';

/** Proxies and load balancers drop a silent connection; a comment line every 15 s keeps it open. */
const HEARTBEAT_MS = 15_000;

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

  constructor(
    private readonly board: BoardFeed,
    private readonly centres: CentreRepository,
  ) {}

  @Get('v1/centres/:code/board')
  @Public()
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary: "A centre's live board as server-sent events (public: numbers only)",
    description:
      'First a `snapshot` event (waiting per service, tickets at counters), then `called` {number, counter, service, recall, at} and ' +
      '`waiting` {waiting: {service: count}, at} as they happen, from every api replica. Comment lines every 15 s keep the connection open.',
  })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiResponse({
    status: 200,
    description: 'A stream of server-sent events (`snapshot`, `called`, `waiting`) that stays open',
    content: { 'text/event-stream': { schema: { type: 'string', example: 'event: called\ndata: {"number":"A042","counter":"3"}\n\n' } } },
  })
  @ApiProblemResponse(404, 'No such centre (before the stream starts)')
  async stream(@Param('code') code: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const centre = await centreNamed(this.centres, code); // 404 as problem+json, before the stream starts
    const raw = reply.raw;
    let ready = false;
    const early: BoardMessage[] = [];
    const send = (event: string, data: unknown) => {
      if (!raw.writableEnded) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    // Subscribe before reading the snapshot, so nothing that happens in between is missed.
    const subscription = await this.board.subscribe(centre.code, (message) => (ready ? send(message.type, message) : early.push(message)));
    let snapshot;
    try {
      snapshot = await this.board.snapshot(centre.code);
    } catch (error) {
      await subscription.unsubscribe();
      throw error;
    }

    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      [CORRELATION_ID_HEADER]: String(request.id),
    });
    raw.write('retry: 3000\n\n');
    send('snapshot', { centre: centre.code, ...snapshot });
    for (const message of early.splice(0)) send(message.type, message);
    ready = true;

    const heartbeat = setInterval(() => {
      if (!raw.writableEnded) raw.write(': heartbeat\n\n');
    }, HEARTBEAT_MS);
    const end = () => {
      if (!this.open.delete(end)) return;
      clearInterval(heartbeat);
      void subscription.unsubscribe();
      if (!raw.writableEnded) raw.end();
    };
    this.open.add(end);
    // The response's 'close' (not the request's, which fires once a body-less GET is read) marks a hang-up.
    raw.on('close', end);
    raw.on('error', end);
    if (raw.destroyed) end();
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
