import { HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
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
  const problem = problemFor(new HttpException(detail, status), { unrouted: false, allowedMethods: [] });
  const correlationId = correlationIdOf(request.raw);
  // `instance` carries only the route prefix the path was aimed at, not the undecodable rest.
  const instance = (request.raw.url ?? '/').split('?')[0].split('%')[0].slice(0, 100);
  void reply
    .status(problem.status)
    .headers({ ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE, [CORRELATION_ID_HEADER]: correlationId })
    .send(JSON.stringify(problemDetails(problem, instance, correlationId)));
}
