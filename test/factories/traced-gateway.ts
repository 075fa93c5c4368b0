/**
 * A gateway process traced into OpenTelemetry's in-memory exporter, for the tracing e2e:
 * `node scripts/run-ts.cjs test/factories/traced-gateway.ts <role>` with the gateway's environment
 * plus KIUNGO_TEST_SPANS_PORT. Tracing starts before main.ts loads http, pg and ioredis (as
 * gateway/src/tracing/register.ts does in production); the finished spans are served as JSON on
 * http://127.0.0.1:$KIUNGO_TEST_SPANS_PORT/ (Jest's own module loader cannot be instrumented, so
 * the spans are taken where the gateway really runs).
 */
import { createServer } from 'node:http';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../gateway/src/tracing/tracing';

export interface SpanRecord {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

const exporter = new InMemorySpanExporter();
startTracing({ serviceName: 'kiungo-test' }, process.argv[2] ?? 'all', exporter);
createServer((_request, response) => {
  const spans: SpanRecord[] = exporter.getFinishedSpans().map((span) => ({
    name: span.name,
    kind: span.kind,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    ...(span.parentSpanContext && { parentSpanId: span.parentSpanContext.spanId }),
    attributes: { ...span.attributes },
  }));
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(spans));
}).listen(Number(process.env.KIUNGO_TEST_SPANS_PORT), '127.0.0.1');

// eslint-disable-next-line @typescript-eslint/no-require-imports -- after tracing started, on purpose
require('../../gateway/src/main');
