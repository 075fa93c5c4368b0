import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EventBus } from '../../../core/events/event-bus.port';
import { InProcessEventBus } from '../../../core/events/in-process.event-bus';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
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

async function createEventBus({ redisUrl, databaseUrl }: AppConfig): Promise<EventBus> {
  if (!redisUrl || !databaseUrl) return new InProcessEventBus();
  return new MicroservicesEventBus({ url: redisUrl, namespace: eventBusNamespace(databaseUrl) }).connect();
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
 * transport with REDIS_URL and DATABASE_URL, in-process otherwise. Boards and agency modes share it.
 */
@Module({
  providers: [{ provide: EventBus, inject: [APP_CONFIG], useFactory: createEventBus }, EventBusLifecycle],
  exports: [EventBus],
})
export class EventBusModule {}
