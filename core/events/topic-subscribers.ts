import type { BusHandler, BusMessage, BusSubscription } from './event-bus.port';

/** A bus's local subscribers, per topic. A function subscribed twice is two subscriptions. */
export class TopicSubscribers {
  private readonly topics = new Map<string, Set<BusHandler>>();

  /** Adds a subscription; its `remove()` says whether it was the topic's last one. */
  add(topic: string, handler: BusHandler): { remove(): boolean } {
    let handlers = this.topics.get(topic);
    if (!handlers) {
      handlers = new Set();
      this.topics.set(topic, handlers);
    }
    const entry: BusHandler = (message) => handler(message);
    handlers.add(entry);
    const topicHandlers = handlers;
    let active = true;
    return {
      remove: () => {
        if (!active) return false;
        active = false;
        topicHandlers.delete(entry);
        if (topicHandlers.size > 0 || this.topics.get(topic) !== topicHandlers) return false;
        this.topics.delete(topic);
        return true;
      },
    };
  }

  /** The port's subscription, for a driver whose delivery to this process is already set up: only local. */
  subscribe(topic: string, handler: BusHandler): BusSubscription {
    const subscription = this.add(topic, handler);
    return {
      unsubscribe: async () => {
        subscription.remove();
      },
    };
  }

  /** Hands `message(…)` to each subscriber of `topic`; a failing subscriber stops neither the others nor the publisher. */
  deliver(topic: string, message: () => BusMessage): void {
    for (const handler of [...(this.topics.get(topic) ?? [])]) {
      try {
        handler(message());
      } catch {
        // The subscriber's own problem (a closed stream); the bus has no one to tell.
      }
    }
  }

  /** Topics with at least one subscriber. */
  active(): string[] {
    return [...this.topics.keys()];
  }

  clear(): void {
    this.topics.clear();
  }
}
