import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { ClsModule } from 'nestjs-cls';
import { AuthGuard } from '../auth/auth.guard';
import { TokenVerifier } from '../auth/token-verifier';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CorrelationIdService, correlationIdOf } from '../http/correlation-id';
import { ProblemFilter } from '../http/problem.filter';
import { JsonLogger } from '../logging/json-logger';

const built = new WeakMap<AppConfig, DynamicModule>();

export interface PlatformOptions {
  /** Default: JSON lines on stdout at LOG_LEVEL. Tests pass one that captures lines. */
  logger?: JsonLogger;
}

/**
 * What every feature module stands on, global: APP_CONFIG, the TokenVerifier, the JSON logger,
 * the CLS context with the correlation id, and — for HTTP apps — the auth guard and the problem
 * filter. Import it once, in the root module: `PlatformModule.forRoot(config)`.
 */
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig, options: PlatformOptions = {}): DynamicModule {
    // The same object for the same config, so a second import is the same module, not a second guard.
    const existing = built.get(config);
    if (existing) return existing;
    const logger = options.logger ?? new JsonLogger({ level: config.logLevel });
    const module: DynamicModule = {
      module: PlatformModule,
      global: true,
      imports: [
        ClsModule.forRoot({
          global: true,
          middleware: {
            mount: true,
            generateId: true,
            idGenerator: (request: IncomingMessage) => correlationIdOf(request),
          },
        }),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: JsonLogger, useValue: logger },
        { provide: TokenVerifier, useFactory: () => TokenVerifier.fromConfig(config) },
        CorrelationIdService,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
      exports: [APP_CONFIG, JsonLogger, TokenVerifier, CorrelationIdService],
    };
    built.set(config, module);
    return module;
  }
}
