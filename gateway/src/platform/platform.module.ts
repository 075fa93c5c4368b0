import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AuthGuard } from '../auth/auth.guard';
import { TokenVerifier } from '../auth/token-verifier';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ProblemFilter } from '../http/problem.filter';
import { RateLimitGuard } from '../http/rate-limit.guard';
import { createRootLogger, ROOT_LOGGER } from '../logging/logger';

const built = new WeakMap<AppConfig, DynamicModule>();

export interface PlatformOptions {
  /** Default: JSON lines on stdout at LOG_LEVEL (createRootLogger). Tests pass one that captures lines. */
  logger?: Logger;
}

/**
 * What every feature module stands on, global: APP_CONFIG, the TokenVerifier, the pino logger
 * (ROOT_LOGGER, and Nest's Logger through nestjs-pino) and — for HTTP apps — the auth guard, the
 * rate-limit guard (with the runtime's RateLimiter, when there is one) and the problem filter. Import it once, in the root module: `PlatformModule.forRoot(config)`.
 */
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig, options: PlatformOptions = {}): DynamicModule {
    // The same object for the same config, so a second import is the same module, not a second guard.
    const existing = built.get(config);
    if (existing) return existing;
    const logger = options.logger ?? createRootLogger(config.logLevel);
    const module: DynamicModule = {
      module: PlatformModule,
      global: true,
      imports: [
        // nestjs-pino's middleware would keep a request logger in an AsyncLocalStorage, and on
        // Node 20 one live AsyncLocalStorage slows every promise of the process (measured in the
        // README's dependency notes). `forRoutes: []` mounts none: the correlation id travels as
        // Fastify's request id instead, passed on explicitly.
        LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [], renameContext: 'context' }),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: TokenVerifier, useFactory: () => TokenVerifier.fromConfig(config) },
        { provide: APP_GUARD, useClass: AuthGuard },
        // After the AuthGuard: a caller with a token counts against its client's budget.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
      exports: [APP_CONFIG, ROOT_LOGGER, TokenVerifier],
    };
    built.set(config, module);
    return module;
  }
}
