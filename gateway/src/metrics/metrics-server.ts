import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KiungoMetrics } from './kiungo-metrics';

/**
 * `GET /metrics` on a port of its own (KIUNGO_METRICS_PORT), not on the API's: the Ingress and the
 * channels never reach it (NetworkPolicy lets only Prometheus in), Prometheus needs no token for
 * it, and a scrape is neither a request in the API's metrics and logs nor a wait for the API's
 * guards. A bare node:http server: nothing else is served here.
 */
export class MetricsServer {
  private server: Server | null = null;

  constructor(private readonly metrics: KiungoMetrics) {}

  /** Resolves with the port listened on; rejects when it cannot listen (the caller decides how bad that is). */
  async listen(port: number, host: string): Promise<number> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (request.method !== 'GET' || path !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
        return;
      }
      this.metrics.exposition().then(
        ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
        () => response.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  /** The port listened on, or null when not listening. */
  port(): number | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
