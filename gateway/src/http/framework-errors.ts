import { HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { CORRELATION_ID_HEADER, correlationIdOf } from './correlation-id';
import { PROBLEM_CONTENT_TYPE, problemDetails, problemFor } from './problem';

/**
 * Fastify's router refuses some URLs before any route, hook or Nest filter runs: a path that
 * does not percent-decode (`/v1/tickets/%`, FST_ERR_BAD_URL) and a path parameter longer than
 * `maxParamLength` (FST_ERR_MAX_PARAM_LENGTH). Left alone it answers them in its own JSON shape,
 * echoing the whole path. Passed as the adapter's `frameworkErrors`, this answers them as
 * problem+json like every other error, without repeating the path in `detail`.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const status = tooLong ? HttpStatus.URI_TOO_LONG : HttpStatus.BAD_REQUEST;
  const detail = tooLong ? 'A path segment is too long to name anything here.' : 'The path is not valid percent-encoded UTF-8.';
  // `instance` carries only the route prefix the path was aimed at, not the undecodable rest.
  replyProblem(request, reply, status, detail, (request.raw.url ?? '/').split('?')[0].split('%')[0].slice(0, 100));
}

function replyProblem(request: FastifyRequest, reply: FastifyReply, status: number, detail: string, instance: string): void {
  const problem = problemFor(new HttpException(detail, status), { unrouted: false, allowedMethods: [] });
  const correlationId = correlationIdOf(request.raw);
  void reply
    .status(problem.status)
    .headers({ ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE, [CORRELATION_ID_HEADER]: correlationId })
    .send(JSON.stringify(problemDetails(problem, instance, correlationId)));
}

/** What Node's HTTP parser and server timeouts report, in `clientError`. */
interface ClientError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

/**
 * Node answers what its parser and timers refuse before any route exists — a request that does not
 * parse, headers past the size limit, a request (headers or body) slower than the server timeouts —
 * with a bare status line. Passed as Fastify's `clientErrorHandler`, this answers them as
 * problem+json: 400, 408, 414 (a request line longer than `maxUrlBytes`), 431; then closes the
 * connection. Returns the status sent (for the log line), or undefined when nothing could be sent.
 */
export function answerClientError(error: ClientError, socket: Socket, maxUrlBytes: number): number | undefined {
  if (error.code === 'ECONNRESET' || socket.destroyed) return undefined;
  const status = clientErrorStatus(error, maxUrlBytes);
  const detail = CLIENT_ERROR_DETAIL[status];
  const problem = problemFor(new HttpException(detail, status), { unrouted: false, allowedMethods: [] });
  const correlationId = randomUUID();
  const body = JSON.stringify(problemDetails(problem, '/', correlationId));
  // A response already under way (a stream) cannot be replaced: the connection just ends.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n${CORRELATION_ID_HEADER}: ${correlationId}\r\n\r\n${body}`,
    );
  }
  // Whatever the client still sends is not read; the socket goes once the answer is out, or now.
  socket.destroySoon();
  return status;
}

/** Not in Nest's HttpStatus. */
const REQUEST_HEADER_FIELDS_TOO_LARGE = 431;

const CLIENT_ERROR_DETAIL: Readonly<Record<number, string>> = {
  400: 'The request is not valid HTTP.',
  408: 'The request (headers or body) arrived too slowly; the connection is closed.',
  414: 'The URL is too long.',
  431: 'The request headers are too large.',
};

function clientErrorStatus(error: ClientError, maxUrlBytes: number): number {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return HttpStatus.REQUEST_TIMEOUT;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    // Node counts the request line with the headers; a request line that alone passes the URL limit is a 414.
    const packet = error.rawPacket;
    const lineEnd = packet ? packet.indexOf('\r\n') : 0;
    return packet && (lineEnd === -1 || lineEnd > maxUrlBytes) ? HttpStatus.URI_TOO_LONG : REQUEST_HEADER_FIELDS_TOO_LARGE;
  }
  return HttpStatus.BAD_REQUEST;
}

/** Fastify `onRequest` hook: a request target longer than `maxUrlBytes` is a 414 before anything else runs. */
export function refuseLongUrls(maxUrlBytes: number) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    if ((request.raw.url ?? '').length <= maxUrlBytes) return done();
    // The instance is only the start of the path: the rest may be anything someone typed.
    replyProblem(request, reply, HttpStatus.URI_TOO_LONG, CLIENT_ERROR_DETAIL[414], (request.raw.url ?? '/').split('?')[0].slice(0, 100));
  };
}
