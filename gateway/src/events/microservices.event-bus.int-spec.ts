import { Logger } from '@nestjs/common';
import IORedis from 'ioredis';
import { eventBusContract } from '../../../core/events/event-bus.contract';
import type { BusMessage } from '../../../core/events/event-bus.port';
import { eventually } from '../../../test/factories/eventually';
import { describeWithRedis } from '../../../test/factories/services';
import { MicroservicesEventBus } from './microservices.event-bus';

describeWithRedis('MicroservicesEventBus', (redisUrl) => {
  // The transport's connection notices go to Nest's logger: the app's pino, but the console here.
  beforeAll(() => Logger.overrideLogger(false));

  const open = (namespace: string) => new MicroservicesEventBus({ url: redisUrl, namespace, reconnectDelayMs: 50 }).connect();

  eventBusContract((space) => open(`kiungo-test:${space}`), { distributed: true });

  it('with `topics`, listens to those topics only: other topics are not even sent to it (a worker hears no board)', async () => {
    const namespace = `kiungo-test:topics-${Math.random().toString(36).slice(2, 10)}`;
    const publisher = await open(namespace);
    const worker = await new MicroservicesEventBus({ url: redisUrl, namespace, reconnectDelayMs: 50, topics: ['agency-modes'] }).connect();
    const counter = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const heard: BusMessage[] = [];
      await worker.subscribe('agency-modes', (m) => heard.push(m));
      await expect(worker.subscribe('board:A', () => undefined)).rejects.toThrow('listens to agency-modes, not board:A');
      // PUBLISH answers how many connections Redis sent the message to: the publisher's own bus listens to every topic.
      expect(await counter.publish(`${namespace}:board:A`, JSON.stringify({ pattern: `${namespace}:board:A`, data: { n: 1 } }))).toBe(1);
      expect(await counter.publish(`${namespace}:agency-modes`, JSON.stringify({ pattern: `${namespace}:agency-modes`, data: { n: 2 } }))).toBe(2);
      await publisher.publish('agency-modes', { n: 3 });
      await eventually(async () => heard.length, (n) => n >= 2, 5000, 10);
      expect(heard).toEqual([{ n: 2 }, { n: 3 }]);
    } finally {
      counter.disconnect();
      await publisher.close();
      await worker.close();
    }
  });

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
