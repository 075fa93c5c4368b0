import type { FastifyReply, FastifyRequest } from 'fastify';
import { CORRELATION_ID_HEADER } from './correlation-id';

/** Proxies and load balancers drop a silent connection; a comment line keeps it open. */
export const SSE_HEARTBEAT_MS = 15_000;

export interface ServerSentEvents {
  send(event: string, data: unknown): void;
  /** Ends the stream (idempotent); the `onEnd` callback runs once, on this or on a hang-up. */
  end(): void;
  readonly ended: boolean;
}

/**
 * Takes the response over from Fastify and opens a text/event-stream on it: headers, the retry
 * hint, heartbeat comments, and one `onEnd` when either side hangs up. Call it after every check
 * that may still answer a problem (a 404 before the stream starts).
 */
export function openServerSentEvents(request: FastifyRequest, reply: FastifyReply, onEnd: () => void): ServerSentEvents {
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    [CORRELATION_ID_HEADER]: String(request.id),
  });
  raw.write('retry: 3000\n\n');
  let ended = false;
  const heartbeat = setInterval(() => {
    if (!raw.writableEnded) raw.write(': heartbeat\n\n');
  }, SSE_HEARTBEAT_MS);
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    onEnd();
    if (!raw.writableEnded) raw.end();
  };
  // The response's 'close' (not the request's, which fires once a body-less GET is read) marks a hang-up.
  raw.on('close', end);
  raw.on('error', end);
  if (raw.destroyed) end();
  return {
    send: (event, data) => {
      if (!raw.writableEnded) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end,
    get ended() {
      return ended;
    },
  };
}
