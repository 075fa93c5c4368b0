import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../config/app-config';
import { setupOpenApi } from '../docs/openapi';
import { CORRELATION_ID_HEADER, correlationIdOf } from '../http/correlation-id';
import { answerFrameworkError } from '../http/framework-errors';
import { useStrictJsonParser } from '../http/json-body-parser';
import { attachRouteTable } from '../http/route-table';
import { JsonLogger } from '../logging/json-logger';
import { useUssdFormParser } from '../ussd/ussd-form-parser';

export interface HttpAppOptions {
  /** Runs after the platform is wired and before `init()`: the place for Fastify plugins or extra routes. */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

/**
 * Builds the HTTP gateway on Fastify, initialised and ready to `listen`. `rootModule` must
 * import `PlatformModule.forRoot(config)`. Fastify's own logger is off (ours is used), proxies
 * are not trusted, CORS is off, bodies are JSON only and limited to KIUNGO_BODY_LIMIT_BYTES.
 */
export async function createHttpApp(
  rootModule: Type<unknown> | DynamicModule,
  config: AppConfig,
  options: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
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
  attachRouteTable(fastify);
  // Every response, errors and 404s included, tells the caller its correlation id.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header(CORRELATION_ID_HEADER, request.id);
    done(null, payload);
  });

  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  let logger: JsonLogger;
  try {
    logger = app.get(JsonLogger);
  } catch {
    await app.close();
    throw new Error('createHttpApp: the root module must import PlatformModule.forRoot(config)');
  }
  app.useLogger(logger);
  app.enableShutdownHooks();
  setupOpenApi(app);
  await options.configure?.(app);
  await app.init();
  return app;
}
