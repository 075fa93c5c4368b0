import { Global, Logger, Module, type DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import IORedis from 'ioredis';
import { EventBus } from '../../../core/events/event-bus.port';
import { eventually } from '../../../test/factories/eventually';
import { describeWithRedis } from '../../../test/factories/services';
import { APP_CONFIG, type ProcessRole } from '../config/app-config';
import { PROCESS_ROLE } from '../runtime/tokens';
import { EventBusModule, eventBusNamespace } from './event-bus.module';

/** What the runtime provides globally in the app: the config's URLs and the process role. */
@Global()
@Module({})
class RuntimeParts {
  static of(redisUrl: string, databaseUrl: string, role: ProcessRole): DynamicModule {
    return {
      module: RuntimeParts,
      providers: [
        { provide: APP_CONFIG, useValue: { redisUrl, databaseUrl } },
        { provide: PROCESS_ROLE, useValue: role },
      ],
      exports: [APP_CONFIG, PROCESS_ROLE],
    };
  }
}

describeWithRedis('EventBusModule', (redisUrl) => {
  beforeAll(() => Logger.overrideLogger(false));

  it.each([
    ['api', 1],
    ['all', 1],
    ['worker', 0],
  ] as const)('a board message is sent to a %s process over %i connection(s): a worker listens to agency modes only', async (role, copies) => {
    // A database of its own names the deployment: no other test's bus shares the namespace.
    const databaseUrl = `postgres://kiungo@127.0.0.1:5432/bus_${role}_${Math.random().toString(36).slice(2, 10)}`;
    const app = await Test.createTestingModule({ imports: [RuntimeParts.of(redisUrl, databaseUrl, role), EventBusModule] }).compile();
    await app.init();
    const counter = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const bus = app.get(EventBus);
      const heard: unknown[] = [];
      await bus.subscribe('agency-modes', (m) => heard.push(m));
      const namespace = eventBusNamespace(databaseUrl);
      // PUBLISH answers how many connections Redis sent the message to.
      expect(await counter.publish(`${namespace}:board:NRB-GPO`, JSON.stringify({ pattern: `${namespace}:board:NRB-GPO`, data: { type: 'waiting' } }))).toBe(copies);
      expect(await counter.publish(`${namespace}:agency-modes`, JSON.stringify({ pattern: `${namespace}:agency-modes`, data: { agencyCode: 'NRB' } }))).toBe(1);
      await eventually(async () => heard.length, (n) => n > 0, 5000, 10);
      expect(heard).toEqual([{ agencyCode: 'NRB' }]);
    } finally {
      counter.disconnect();
      await app.close();
    }
  });
});
