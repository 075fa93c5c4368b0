import { ClientRedis, ServerRedis, type RedisContext } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { EventBus, type BusHandler, type BusMessage, type BusSubscription } from '../../../core/events/event-bus.port';
import { TopicSubscribers } from '../../../core/events/topic-subscribers';

export interface MicroservicesEventBusOptions {
  /** redis:// or rediss:// (REDIS_URL). Pub/sub ignores the database number: the namespace separates. */
  url: string;
  /**
   * Channel prefix: processes with the same namespace share messages, others do not. Replicas of
   * one deployment must agree on it (event-bus.module.ts: derived from the database they share).
   */
  namespace: string;
  /**
   * Between two attempts to reach Redis again after it went away (the transport waits a fixed
   * time, and logs each failed attempt of each of its four connections). Default 1 s: the modes'
   * cache is as long, and boards catch up on their next message.
   */
  reconnectDelayMs?: number;
  /**
   * The topics this process listens to; absent: every topic. Every message of a topic a process
   * listens to costs it a parse and a dispatch, heard or not: a worker listening to every topic
   * took each board's every call (about 0.1 ms of CPU a call, on the cores the api and PostgreSQL
   * use) to drop it. Publishing is not limited.
   */
  topics?: readonly string[];
}

/**
 * The EventBus across replicas on `@nestjs/microservices`' Redis transport (README "Events between
 * replicas"). A topic travels as the event pattern `<namespace>:<topic>`: published by the
 * transport's client (EventClient below: `ClientRedis`'s own PUBLISH, without `emit`'s observable),
 * delivered by a standalone `ServerRedis` whose event handler, on the wildcard pattern
 * `<namespace>:*` (or one pattern per topic, when `topics` names the topics the process listens
 * to), hands each message to this process's current subscribers of its topic. The PSUBSCRIBE set up
 * at start carries every topic listened to, the fixed `agency-modes` and the `board:<centre>` ones
 * that come and go with the screens, so subscribing is local and immediate.
 * No Nest application around it: the server is not a hybrid app's microservice, and nothing of
 * Nest leaves this file (the core sees only the port).
 */
export class MicroservicesEventBus extends EventBus {
  private readonly client: EventClient;
  private readonly server: ServerRedis;
  private readonly prefix: string;
  /** The PSUBSCRIBE patterns: `<namespace>:*`, or one per topic listened to. */
  private readonly patterns: string[];
  /** The topics listened to; null: every topic. */
  private readonly topics: ReadonlySet<string> | null;
  private readonly subscribers = new TopicSubscribers();
  private closed = false;

  constructor(options: MicroservicesEventBusOptions) {
    super();
    this.prefix = `${options.namespace}:`;
    // Glob characters in a namespace (or a topic) would widen the subscription to other channels.
    const escape = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');
    this.topics = options.topics ? new Set(options.topics) : null;
    this.patterns = options.topics ? options.topics.map((topic) => escape(this.prefix + topic)) : [`${escape(this.prefix)}*`];
    const redis = {
      ...redisOptions(options.url),
      // The transport gives up after `retryAttempts` (none unless set): keep trying while the process runs.
      retryAttempts: Number.MAX_SAFE_INTEGER,
      retryDelay: options.reconnectDelayMs ?? 1000,
      connectionName: `${options.namespace}:events`,
    };
    this.client = new EventClient(redis);
    this.server = new ServerRedis({ ...redis, wildcards: true });
    for (const pattern of this.patterns) this.server.addHandler(pattern, async (data: unknown, context: RedisContext) => this.deliver(context.getChannel(), data), true);
  }

  async connect(): Promise<this> {
    try {
      await Promise.all([
        this.client.connect(),
        new Promise<void>((resolve, reject) => this.server.listen((error?: unknown) => (error ? reject(asError(error)) : resolve()))),
      ]);
      // listen() calls back before Redis acknowledged its PSUBSCRIBE. The same patterns again on the
      // same connection add nothing, and resolve once Redis has answered: from then on, a
      // published message is delivered.
      const [, subscriber] = this.server.unwrap<[Redis, Redis]>();
      await subscriber.psubscribe(...this.patterns);
      return this;
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async publish(topic: string, message: BusMessage): Promise<void> {
    // After close the client would open new connections to publish.
    if (this.closed) throw new Error('the event bus is closed');
    // While reconnecting, the transport refuses at once (with a string): the message is lost, as any
    // on a fire-and-forget bus with Redis away.
    await this.client.publishEvent(this.prefix + topic, message).catch((error: unknown) => {
      throw asError(error);
    });
  }

  async subscribe(topic: string, handler: BusHandler): Promise<BusSubscription> {
    // A handler that would never hear anything is a wiring mistake: say so at once.
    if (this.topics && !this.topics.has(topic)) throw new Error(`this process's event bus listens to ${[...this.topics].join(', ')}, not ${topic}`);
    return this.subscribers.subscribe(topic, handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribers.clear();
    // QUIT; with Redis away, ioredis ends the connection at once instead.
    await Promise.all([this.client.close(), this.server.close()]).catch(() => undefined);
  }

  private deliver(channel: string, data: unknown): void {
    if (!channel.startsWith(this.prefix) || typeof data !== 'object' || data === null) return; // not ours
    this.subscribers.deliver(channel.slice(this.prefix.length), () => data as BusMessage);
  }
}

/**
 * `ClientRedis` publishing an event without `emit`'s observable: emit builds, per message, a
 * deferred source, a mergeMap, a connectable with its Subject and their subscriptions, and the
 * caller's lastValueFrom adds a subscriber and a promise, all to await one PUBLISH, and with
 * 20 counters calling they lived long enough to be promoted (docs/performance-log.md, "Where call-next's
 * latency tail comes from"). The same connect, serializer, pattern and PUBLISH as emit's
 * (`dispatchEvent` is the transport's own), so the wire format and the errors are unchanged.
 */
class EventClient extends ClientRedis {
  publishEvent(pattern: string, data: BusMessage): Promise<void> {
    // Ready: PUBLISH at once. Otherwise connect() as emit does: it connects a client not yet
    // connected, and while the transport reconnects it refuses at once (its connection promise is
    // then a rejected one). Not awaiting it there queued the PUBLISH in ioredis's offline queue, and
    // the caller (a counter's call-next, waiting for its 'called' message) waited with Redis away
    // until ioredis gave up, twenty reconnect attempts later.
    if (this.pubClient?.status === 'ready') return this.dispatchEvent({ pattern, data });
    return this.connect().then(() => this.dispatchEvent({ pattern, data }));
  }
}

/** The transport takes ioredis options, not a URL. */
function redisOptions(url: string): { host: string; port: number; username?: string; password?: string; db: number; tls?: object } {
  const parsed = new URL(url);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db: Number(parsed.pathname.slice(1) || 0),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
