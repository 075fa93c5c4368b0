import { eventBusContract } from './event-bus.contract';
import { InProcessEventBus } from './in-process.event-bus';

describe('InProcessEventBus', () => {
  eventBusContract(async () => new InProcessEventBus(), { distributed: false });

  it('forgets a topic once its last subscriber left', async () => {
    const bus = new InProcessEventBus();
    const subscription = await bus.subscribe('board:X', () => undefined);
    expect(bus.activeTopics()).toEqual(['board:X']);
    await subscription.unsubscribe();
    expect(bus.activeTopics()).toEqual([]);
  });
});
