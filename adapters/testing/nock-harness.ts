/**
 * The nock set-up every adapter unit spec shares: no real network while the suite runs, nothing
 * left intercepting or pending between tests, and whatever a test opened (adapters, registries)
 * closed after it. Call once at the top of a describe; `opened` collects what to close.
 */
import nock from 'nock';

export interface Closable {
  close(): Promise<void>;
}

export function useNock(): { opened<T extends Closable>(closable: T): T } {
  const toClose: Closable[] = [];
  beforeAll(() => nock.disableNetConnect());
  afterEach(async () => {
    nock.abortPendingRequests();
    nock.cleanAll();
    await Promise.all(toClose.splice(0).map((closable) => closable.close()));
  });
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });
  return {
    opened: (closable) => {
      toClose.push(closable);
      return closable;
    },
  };
}
