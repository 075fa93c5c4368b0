import { Catch, Inject, Injectable, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { throwError, type Observable } from 'rxjs';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../logging/logger';
import { isErrorLike } from '../logging/redact';
import { CORRELATION_ID_HEADER, correlationIdOf } from './correlation-id';
import { PROBLEM_CONTENT_TYPE, problemDetails, problemFor, type Problem } from './problem';
import { allowedMethods as allowedMethodsAt } from './allowed-methods';

/**
 * The ONLY place errors become HTTP responses (registered as APP_FILTER): DomainErrors by
 * their category, Nest's and Fastify's own errors (unknown route, bad JSON, body too large,
 * wrong media type) by status, anything else as a generic 500 that is logged with the
 * correlation id. A response never carries a stack, SQL or personal data.
 */
@Catch()
@Injectable()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    // Message-bus handlers answer errors their own way.
    if (host.getType() !== 'http') return throwError(() => exception);

    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest | IncomingMessage>();
    const raw = 'raw' in request ? request.raw : request;
    const method = raw.method ?? 'GET';
    const path = (raw.url ?? '/').split('?')[0];
    const correlationId = correlationIdOf(raw);

    const unrouted = 'is404' in request && request.is404 === true;
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    const allowedMethods = unrouted && fastify ? allowedMethodsAt(fastify, path) : [];
    const problem = problemFor(exception, { unrouted, allowedMethods });
    const details = problemDetails(problem, path, correlationId);
    try {
      // The path as answered, personal data masked: never the raw path someone typed an ID number into.
      this.log(problem, details.detail, exception, { correlationId, method, path: details.instance });
    } catch {
      // A failure to log must not cost the caller the answer.
    }

    const body = JSON.stringify(details);
    const headers = { ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE, [CORRELATION_ID_HEADER]: correlationId };
    send(http.getResponse<FastifyReply | ServerResponse>(), problem.status, headers, body);
  }

  private log(problem: Problem, detail: string, exception: unknown, where: { correlationId: string; method: string; path: string }): void {
    const fields = { context: 'ProblemFilter', ...where, status: problem.status, code: problem.code };
    if (problem.severity === 'error') {
      this.logger.error({ ...fields, err: describeError(exception) }, 'unhandled error');
    } else if (problem.severity === 'warn') {
      this.logger.warn(fields, detail);
    } else {
      this.logger.debug(fields, detail);
    }
  }
}

function send(response: FastifyReply | ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  if ('raw' in response) {
    if (response.sent || response.raw.headersSent) {
      // A stream (server-sent events) failed after it started: all we can do is end it.
      response.raw.end();
      return;
    }
    void response.status(status).headers(headers).send(body);
    return;
  }
  // Nest middleware under Fastify sees Node's own response object.
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, headers).end(body);
}

function describeError(exception: unknown): Record<string, unknown> {
  if (isErrorLike(exception)) return { name: exception.name, message: exception.message, stack: exception.stack };
  return { thrown: typeof exception };
}
