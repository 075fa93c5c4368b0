import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { AppConfig } from '../config/app-config';
import { setupOpenApi } from '../docs/openapi';
import { CORRELATION_ID_HEADER, correlationIdOf } from '../http/correlation-id';
import { answerClientError, answerFrameworkError, refuseLongUrls } from '../http/framework-errors';
import { useStrictJsonParser } from '../http/json-body-parser';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../logging/logger';
import { KiungoMetrics } from '../metrics/kiungo-metrics';
import { useUssdFormParser } from '../ussd/ussd-form-parser';

export interface HttpAppOptions {
  /** Runs after the platform is wired and before `init()`: the place for Fastify plugins or extra routes. */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

/**
 * Builds the HTTP gateway on Fastify, initialised and ready to `listen`. `rootModule` must
 * import `PlatformModule.forRoot(config)`. Fastify's own logger is off (ours writes one line per
 * request from a hook), proxies are not trusted, CORS is off, bodies are JSON only and limited to
 * KIUNGO_BODY_LIMIT_BYTES, and the server's timeouts and URL limit are KIUNGO_HTTP_* (abuse-config.ts).
 */
export async function createHttpApp(
  rootModule: Type<unknown> | DynamicModule,
  config: AppConfig,
  options: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const { abuse } = config;
  let requestLog: Logger | undefined;
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // Slow clients do not hold connections: headers, then the whole request (a body dripping a byte
    // at a time included), must arrive in time, and an idle keep-alive connection is closed.
    http: { headersTimeout: abuse.headersTimeoutMs, connectionsCheckingInterval: Math.min(5000, Math.floor(abuse.headersTimeoutMs / 2)) },
    requestTimeout: abuse.requestTimeoutMs,
    keepAliveTimeout: abuse.idleTimeoutMs,
    // What Node refuses before routing (unparsable, too slow, headers or URL too large): problem+json too.
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
      const status = answerClientError(error, socket, abuse.maxUrlBytes);
      if (status !== undefined) requestLog?.debug({ context: 'HttpServer', status, code: error.code ?? null }, 'client error');
    },
    trustProxy: false,
    logger: false,
    // Fastify's request id is the correlation id, decided before any hook or parser runs.
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => correlationIdOf(request),
    // Undecodable paths and over-long path parameters, refused by the router: problem+json too.
    frameworkErrors: answerFrameworkError,
  });
  const fastify = adapter.getInstance();
  useStrictJsonParser(fastify);
  useUssdFormParser(fastify);
  // Every response, errors and 404s included, tells the caller its correlation id.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header(CORRELATION_ID_HEADER, request.id);
    done(null, payload);
  });
  // One line per request, after the answer is sent: the route's pattern, never the raw path or
  // query (they may carry an ID number or the USSD key). Health probes only at debug.
  fastify.addHook('onRequest', refuseLongUrls(abuse.maxUrlBytes));
  let metrics: KiungoMetrics | undefined;
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    metrics?.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    const level = route?.startsWith('/health') ? 'debug' : 'info';
    if (requestLog?.isLevelEnabled(level)) {
      requestLog[level](
        { correlationId: request.id, method: request.method, route: route ?? null, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 },
        'request',
      );
    }
    done();
  });

  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  try {
    requestLog = app.get<Logger>(ROOT_LOGGER);
  } catch {
    await app.close();
    throw new Error('createHttpApp: the root module must import PlatformModule.forRoot(config)');
  }
  app.useLogger(app.get(NestPinoLogger));
  try {
    const found = app.get(KiungoMetrics, { strict: false });
    if (found.enabled) metrics = found;
  } catch {
    // The gateway's AppModule has the runtime's; a module built for one feature's test may have none.
  }
  app.enableShutdownHooks();
  setupOpenApi(app);
  await options.configure?.(app);
  await app.init();
  return app;
}
