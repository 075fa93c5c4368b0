import { EventBus, type BusHandler, type BusMessage, type BusSubscription } from './event-bus.port';
import { TopicSubscribers } from './topic-subscribers';

/** One process (embedded mode, tests): topics are a map of handler sets. */
export class InProcessEventBus extends EventBus {
  private readonly subscribers = new TopicSubscribers();

  async publish(topic: string, message: BusMessage): Promise<void> {
    // A copy each, like a message that went over the wire: no subscriber sees another's mutations.
    const text = JSON.stringify(message);
    this.subscribers.deliver(topic, () => JSON.parse(text) as BusMessage);
  }

  async subscribe(topic: string, handler: BusHandler): Promise<BusSubscription> {
    return this.subscribers.subscribe(topic, handler);
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }

  /** Topics with at least one subscriber (tests check that disconnected boards clean up). */
  activeTopics(): string[] {
    return this.subscribers.active();
  }
}
