import { RouteTable } from './route-table';

describe('RouteTable', () => {
  const table = new RouteTable();
  table.add(['GET', 'HEAD'], '/v1/transactions/:id');
  table.add('post', '/v1/transactions');
  table.add('PUT', '/v1/centres/:centre/counters/:counter(^\\d+)');
  table.add('GET', '/docs/*');
  table.add('GET', '/time::now');

  it('matches parameters, parameter patterns and wildcards', () => {
    expect(table.allowedMethods('/v1/transactions/8f0e')).toEqual(['GET', 'HEAD']);
    expect(table.allowedMethods('/v1/transactions')).toEqual(['POST']);
    expect(table.allowedMethods('/v1/centres/NRB-GPO/counters/3')).toEqual(['PUT']);
    expect(table.allowedMethods('/docs/swagger-ui.css')).toEqual(['GET']);
    expect(table.allowedMethods('/time:now')).toEqual(['GET']);
  });

  it('knows nothing of paths no route matches', () => {
    expect(table.allowedMethods('/v1/transactions/8f0e/extra')).toEqual([]);
    expect(table.allowedMethods('/v1/transactionsX')).toEqual([]);
    expect(table.allowedMethods('/')).toEqual([]);
  });
});
