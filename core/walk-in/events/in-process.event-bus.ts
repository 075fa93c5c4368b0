import { EventBus, type BusHandler, type BusMessage, type BusSubscription } from './event-bus.port';

/** One process (embedded mode, tests): topics are a map of handler sets. */
export class InProcessEventBus extends EventBus {
  private readonly topics = new Map<string, Set<BusHandler>>();

  async publish(topic: string, message: BusMessage): Promise<void> {
    // A copy, like a message that went over the wire: no subscriber sees another's mutations.
    const text = JSON.stringify(message);
    for (const handler of [...(this.topics.get(topic) ?? [])]) deliver(handler, JSON.parse(text) as BusMessage);
  }

  async subscribe(topic: string, handler: BusHandler): Promise<BusSubscription> {
    let handlers = this.topics.get(topic);
    if (!handlers) {
      handlers = new Set();
      this.topics.set(topic, handlers);
    }
    // Wrapped, so the same function subscribed twice is two subscriptions.
    const entry: BusHandler = (message) => handler(message);
    handlers.add(entry);
    return {
      unsubscribe: async () => {
        handlers.delete(entry);
        if (handlers.size === 0 && this.topics.get(topic) === handlers) this.topics.delete(topic);
      },
    };
  }

  async close(): Promise<void> {
    this.topics.clear();
  }

  /** Topics with at least one subscriber (tests check that disconnected boards clean up). */
  activeTopics(): string[] {
    return [...this.topics.keys()];
  }
}

/** A failing subscriber must not stop delivery to the others, nor reach the publisher. */
export function deliver(handler: BusHandler, message: BusMessage): void {
  try {
    handler(message);
  } catch {
    // The subscriber's own problem (a closed stream); the bus has no one to tell.
  }
}
