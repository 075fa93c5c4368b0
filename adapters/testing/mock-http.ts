/**
 * The HTTP double of the REST adapters' unit specs: undici's MockAgent, handed to the adapter as
 * its dispatcher (AdapterFactoryOptions.httpDispatcher), since nock does not see undici pools.
 * A fresh agent per test with no real network; whatever a test opened (adapters, registries) is
 * closed after it. Call once at the top of a describe. The SOAP specs keep nock (node-soap's
 * axios goes through node:http).
 */
import { isDeepStrictEqual } from 'node:util';
import { MockAgent } from 'undici';
import type { MockInterceptor } from 'undici/types/mock-interceptor';
import type { AdapterFactoryOptions } from '../agency-adapter.port';
import type { Closable } from './nock-harness';

type Method = 'GET' | 'POST' | 'PUT';

export interface ExpectedRequest {
  /** A JSON body the request must carry (compared as parsed JSON). */
  json?: unknown;
  /** Headers the request must carry: a value, or a pattern it must match. */
  headers?: Record<string, string | RegExp>;
  /** Headers the request must NOT carry. */
  without?: string[];
}

export interface MockHttp {
  /** Adapter options sending through this test's mock agent. */
  options(env?: NodeJS.ProcessEnv, extra?: Omit<AdapterFactoryOptions, 'env' | 'httpDispatcher'>): AdapterFactoryOptions;
  /** Expects one request (`.times(n)` on the answer for more) to `origin` + `path`. */
  on(origin: string, method: Method, path: string, expected?: ExpectedRequest): MockInterceptor;
  /** Whether every expected request came. */
  allCalled(): boolean;
  opened<T extends Closable>(closable: T): T;
}

export function useMockHttp(): MockHttp {
  let agent: MockAgent;
  const toClose: Closable[] = [];
  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
  });
  afterEach(async () => {
    await Promise.all(toClose.splice(0).map((closable) => closable.close()));
    await agent.close();
  });
  return {
    options: (env = {}, extra = {}) => ({ env, ...extra, httpDispatcher: agent }),
    on: (origin, method, path, expected = {}) =>
      agent.get(origin).intercept({
        path,
        method,
        ...(expected.json !== undefined && { body: (body: string) => isDeepStrictEqual(JSON.parse(body), expected.json) }),
        ...((expected.headers || expected.without) && { headers: headerMatcher(expected) }),
      }),
    allCalled: () => agent.pendingInterceptors().length === 0,
    opened: (closable) => {
      toClose.push(closable);
      return closable;
    },
  };
}

function headerMatcher(expected: ExpectedRequest): (headers: Record<string, string>) => boolean {
  return (headers) => {
    const present = Object.entries(expected.headers ?? {}).every(([name, want]) => {
      const value = headers[name.toLowerCase()];
      return value !== undefined && (typeof want === 'string' ? value === want : want.test(value));
    });
    return present && (expected.without ?? []).every((name) => headers[name.toLowerCase()] === undefined);
  };
}
