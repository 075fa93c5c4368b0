import { Logger } from '@nestjs/common';
import { createServer, connect, type Server, type Socket } from 'node:net';
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
  it('refuses a publish at once while Redis is away, instead of holding the caller (a counter\'s call-next) until the reconnect gives up', async () => {
    // Redis behind a proxy of the test's own: closing it is Redis going away for this bus only.
    const target = new URL(redisUrl);
    const sockets = new Set<Socket>();
    const listen = async (port: number): Promise<Server> => {
      const server = createServer((inbound) => {
        const outbound = connect(Number(target.port || 6379), target.hostname);
        for (const socket of [inbound, outbound]) {
          sockets.add(socket);
          socket.on('error', () => undefined);
          socket.on('close', () => sockets.delete(socket));
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      return server;
    };
    let proxy = await listen(0);
    const port = (proxy.address() as { port: number }).port;
    const namespace = `kiungo-test:away-${Math.random().toString(36).slice(2, 10)}`;
    // A publish queued for the reconnect would wait for ioredis to give up: 20 attempts, 300 ms apart.
    const bus = await new MicroservicesEventBus({ url: `redis://127.0.0.1:${port}`, namespace, reconnectDelayMs: 300 }).connect();
    try {
      await bus.publish('board:A', { n: 1 });
      const closed = new Promise<void>((resolve) => proxy.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await new Promise((resolve) => setTimeout(resolve, 200));

      const started = Date.now();
      const outcome = await Promise.race([
        bus.publish('board:A', { n: 2 }).then(
          () => 'published',
          () => 'refused',
        ),
        new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 3000).unref()),
      ]);
      expect(outcome).toBe('refused');
      expect(Date.now() - started).toBeLessThan(1000);
      // Redis back: the bus publishes again (and closes connected, not retrying).
      proxy = await listen(port);
      await eventually(() => bus.publish('board:A', { n: 3 }).then(() => true, () => false), (published) => published, 5000, 50);
    } finally {
      await bus.close();
      proxy.close();
      for (const socket of sockets) socket.destroy();
    }
  });
});
