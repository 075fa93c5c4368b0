import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EventBus } from '../../../core/events/event-bus.port';
import { InProcessEventBus } from '../../../core/events/in-process.event-bus';
import { AGENCY_MODE_TOPIC } from '../../../core/agencies/agency-modes';
import { APP_CONFIG, type AppConfig, type ProcessRole } from '../config/app-config';
import { PROCESS_ROLE } from '../runtime/tokens';
import { MicroservicesEventBus } from './microservices.event-bus';

/**
 * The bus's channel namespace. Replicas of one deployment share one database, so the database
 * (its host, port and name; never the password) names the deployment: its replicas hear each
 * other, and two deployments (or two test runs) on one Redis never do.
 */
export function eventBusNamespace(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const identity = `${url.hostname}:${url.port}${url.pathname}`;
  return `kiungo:${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}

/**
 * What a worker process listens to: agency modes (its retries follow them). It serves no board, and
 * listening to every topic made it parse and drop every board's every call: about 0.1 ms of CPU a
 * call on the box, ~10 % of a core at 1,000 calls/s (docs/performance-log.md, "Where call-next's
 * latency tail comes from"). A subscription to any other topic in a worker throws at start.
 */
export const WORKER_TOPICS: readonly string[] = [AGENCY_MODE_TOPIC];

async function createEventBus({ redisUrl, databaseUrl }: AppConfig, role: ProcessRole): Promise<EventBus> {
  if (!redisUrl || !databaseUrl) return new InProcessEventBus();
  return new MicroservicesEventBus({ url: redisUrl, namespace: eventBusNamespace(databaseUrl), ...(role === 'worker' ? { topics: WORKER_TOPICS } : {}) }).connect();
}

@Injectable()
class EventBusLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EventBus) private readonly bus: EventBus) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}

/**
 * The process's one EventBus (README "Events between replicas"): `@nestjs/microservices`' Redis
 * transport with REDIS_URL and DATABASE_URL, in-process otherwise. Boards and agency modes share it;
 * a worker listens to agency modes only (WORKER_TOPICS).
 */
@Module({
  providers: [{ provide: EventBus, inject: [APP_CONFIG, PROCESS_ROLE], useFactory: createEventBus }, EventBusLifecycle],
  exports: [EventBus],
})
export class EventBusModule {}
