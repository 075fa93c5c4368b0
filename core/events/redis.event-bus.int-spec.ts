import { describeWithRedis } from '../../test/factories/services';
import { eventBusContract } from './event-bus.contract';
import { RedisEventBus } from './redis.event-bus';

describeWithRedis('RedisEventBus', (redisUrl) => {
  eventBusContract((space) => new RedisEventBus({ url: redisUrl, namespace: `kiungo-test:${space}` }).connect(), { distributed: true });
});
