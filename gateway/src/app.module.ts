import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { AgencyCallLog } from './logging/agency-call-log';
import { PlatformModule, type PlatformOptions } from './platform';
import type { KiungoRuntime } from './runtime/runtime';
import { RuntimeModule } from './runtime/runtime.module';

/** The api role serves the HTTP API; the worker role consumes queues and sweeps; `all` does both. */
@Module({})
export class AppModule {
  /** `platform.logger`: tests pass one that checks every line (test/factories/log-leaks.ts). */
  static forRuntime(runtime: KiungoRuntime, platform: PlatformOptions = {}): DynamicModule {
    const api = runtime.role === 'all' || runtime.role === 'api';
    const worker = runtime.role === 'all' || runtime.role === 'worker';
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(runtime.config, platform),
        RuntimeModule.forRuntime(runtime),
        HealthModule,
        MetricsModule.forRole(worker),
        ...(api ? apiRoleModules() : []),
        ...(worker ? workerRoleModules() : []),
      ],
      // Every role calls agencies (inline, retries, replays, status look-ups): one log line per call.
      providers: [AgencyCallLog],
    };
  }
}

/*
 * Each role's modules are required only in a process that runs that role: the api process never
 * loads the worker's code and what only it uses (nodemailer for alert e-mail, the scheduler, the
 * queue consumers), nor the worker the api's controllers. Loaded code is resident memory for the
 * life of the process (docs/performance-log.md, "api RSS under load").
 */
/* eslint-disable @typescript-eslint/no-require-imports */
function apiRoleModules(): readonly Type[] {
  return (require('./api-role.modules') as typeof import('./api-role.modules')).API_ROLE_MODULES;
}

function workerRoleModules(): readonly Type[] {
  return (require('./worker-role.modules') as typeof import('./worker-role.modules')).WORKER_ROLE_MODULES;
}
/* eslint-enable @typescript-eslint/no-require-imports */
