/**
 * Publish/subscribe between the processes of one deployment (DESIGN.md: the event-bus port, two
 * drivers, one contract suite). Fire-and-forget: a subscriber that is not connected when a
 * message is published never sees it, so nothing durable may depend on it — the database stays
 * the source of truth, the bus only tells live screens that something changed.
 */
export type BusMessage = Readonly<Record<string, unknown>>;

export type BusHandler = (message: BusMessage) => void;

export interface BusSubscription {
  /** Stops delivery to this handler; safe to call twice. */
  unsubscribe(): Promise<void>;
}

export abstract class EventBus {
  /** Delivers `message` to every current subscriber of `topic`, in every process of the deployment. */
  abstract publish(topic: string, message: BusMessage): Promise<void>;

  /** Resolves once delivery is set up: a message published after that reaches `handler`. */
  abstract subscribe(topic: string, handler: BusHandler): Promise<BusSubscription>;

  abstract close(): Promise<void>;
}
