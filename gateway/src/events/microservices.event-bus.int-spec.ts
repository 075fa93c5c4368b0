import { Logger } from '@nestjs/common';
import IORedis from 'ioredis';
import { eventBusContract } from '../../../core/events/event-bus.contract';
import type { BusMessage } from '../../../core/events/event-bus.port';
import { describeWithRedis } from '../../../test/factories/services';
import { MicroservicesEventBus } from './microservices.event-bus';

describeWithRedis('MicroservicesEventBus', (redisUrl) => {
  // The transport's connection notices go to Nest's logger: the app's pino, but the console here.
  beforeAll(() => Logger.overrideLogger(false));

  const open = (namespace: string) => new MicroservicesEventBus({ url: redisUrl, namespace, reconnectDelayMs: 50 }).connect();

  eventBusContract((space) => open(`kiungo-test:${space}`), { distributed: true });

  it('delivers again after Redis dropped every connection of the bus', async () => {
    const namespace = `kiungo-test:reconnect-${Math.random().toString(36).slice(2, 10)}`;
    const publisher = await open(namespace);
    const replica = await open(namespace);
    const admin = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const heard: BusMessage[] = [];
      await replica.subscribe('agency-modes', (m) => heard.push(m));
      // What a Redis restart does to its clients: every connection of both buses goes.
      const ours = String(await admin.client('LIST'))
        .split('\n')
        .filter((line) => line.includes(` name=${namespace}:events `))
        .map((line) => /\bid=(\d+)/.exec(line)?.[1]);
      expect(ours).toHaveLength(8); // each bus: the client's two connections, the server's two
      for (const id of ours) await admin.client('KILL', 'ID', String(id));

      // Fire and forget: what was published while reconnecting may be lost, so publish until one arrives.
      const deadline = Date.now() + 10_000;
      for (let n = 1; heard.length === 0; n++) {
        if (Date.now() > deadline) throw new Error('nothing delivered within 10 s of the reconnect');
        await publisher.publish('agency-modes', { n }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(heard[0]).toEqual({ n: expect.any(Number) });
    } finally {
      admin.disconnect();
      await publisher.close();
      await replica.close();
    }
  });
});
