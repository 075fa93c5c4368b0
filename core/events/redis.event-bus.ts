import IORedis, { type Redis } from 'ioredis';
import { EventBus, type BusHandler, type BusMessage, type BusSubscription } from './event-bus.port';
import { TopicSubscribers } from './topic-subscribers';

export interface RedisEventBusOptions {
  url: string;
  /**
   * Channel prefix: processes with the same namespace share messages, others do not. Replicas of
   * one deployment must agree on it (see queueing wiring: derived from the database they share).
   */
  namespace: string;
}

/**
 * Across replicas with Redis pub/sub: one connection publishes, one subscribes (a subscribed
 * Redis connection can do nothing else). One Redis channel per topic with local subscribers.
 */
export class RedisEventBus extends EventBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly subscribers = new TopicSubscribers();
  /** The SUBSCRIBE of each topic, so a second subscriber also waits for its acknowledgement. */
  private readonly subscribed = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(private readonly options: RedisEventBusOptions) {
    super();
    const connection = { lazyConnect: true, maxRetriesPerRequest: 2 };
    this.publisher = new IORedis(options.url, connection);
    this.subscriber = new IORedis(options.url, connection);
    // Errors surface on the calls that fail; ioredis reconnects (and re-subscribes) by itself.
    this.publisher.on('error', () => undefined);
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (channel: string, text: string) => this.onMessage(channel, text));
  }

  async connect(): Promise<this> {
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    return this;
  }

  async publish(topic: string, message: BusMessage): Promise<void> {
    await this.publisher.publish(this.channel(topic), JSON.stringify(message));
  }

  async subscribe(topic: string, handler: BusHandler): Promise<BusSubscription> {
    const subscription = this.subscribers.add(topic, handler);
    // SUBSCRIBE is acknowledged before it resolves, so later publishes are delivered.
    let ready = this.subscribed.get(topic);
    if (!ready) {
      ready = this.subscriber.subscribe(this.channel(topic));
      this.subscribed.set(topic, ready);
    }
    await ready;
    return {
      unsubscribe: async () => {
        if (!subscription.remove()) return;
        this.subscribed.delete(topic);
        if (!this.closed) await this.subscriber.unsubscribe(this.channel(topic)).catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribers.clear();
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private channel(topic: string): string {
    return `${this.options.namespace}:${topic}`;
  }

  private onMessage(channel: string, text: string): void {
    const prefix = `${this.options.namespace}:`;
    if (!channel.startsWith(prefix)) return;
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch {
      return; // not ours
    }
    this.subscribers.deliver(channel.slice(prefix.length), () => message);
  }
}
