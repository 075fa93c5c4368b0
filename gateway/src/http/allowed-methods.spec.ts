import { fastify, type FastifyInstance } from 'fastify';
import { allowedMethods } from './allowed-methods';

describe('allowedMethods (Fastify router lookups)', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = fastify({ exposeHeadRoutes: false });
    const handler = async () => ({});
    app.route({ method: ['GET', 'HEAD'], url: '/v1/transactions/:id', handler });
    app.post('/v1/transactions', handler);
    app.put('/v1/centres/:centre/counters/:counter(^\\d+)', handler);
    app.get('/docs/*', handler);
    app.get('/time::now', handler);
    await app.ready();
  });

  afterAll(() => app.close());

  it('matches parameters, parameter patterns and wildcards', () => {
    expect(allowedMethods(app, '/v1/transactions/8f0e')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods(app, '/v1/transactions')).toEqual(['POST']);
    expect(allowedMethods(app, '/v1/centres/NRB-GPO/counters/3')).toEqual(['PUT']);
    expect(allowedMethods(app, '/docs/swagger-ui.css')).toEqual(['GET']);
    expect(allowedMethods(app, '/time:now')).toEqual(['GET']);
  });

  it('knows nothing of paths no route matches', () => {
    expect(allowedMethods(app, '/v1/transactions/8f0e/extra')).toEqual([]);
    expect(allowedMethods(app, '/v1/transactionsX')).toEqual([]);
    expect(allowedMethods(app, '/v1/centres/NRB-GPO/counters/three')).toEqual([]);
    expect(allowedMethods(app, '/')).toEqual([]);
  });
});
