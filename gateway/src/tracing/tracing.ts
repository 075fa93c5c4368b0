import { context, propagation } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { IncomingMessage } from 'node:http';
import { maskPersonalDataIn } from '../../../core/shared/personal-data';
import type { TracingConfig } from '../config/tracing-config';
import { isSensitiveKey, REDACTED } from '../logging/redact';

export interface Tracing {
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry (`@opentelemetry/sdk-node`) with the HTTP, pg and ioredis instrumentations,
 * exporting over OTLP/HTTP — only when an endpoint is configured (or a test hands an exporter).
 * Off, nothing is loaded or patched and no AsyncLocalStorage is created: tracing costs nothing
 * (README "Traces"). Must run before the gateway requires `http`, `pg` or `ioredis`.
 */
export function startTracing(config: TracingConfig, role: string, exporter?: SpanExporter): Tracing | null {
  if (!config.endpoint && !exporter) return null;
  // Loaded here, not at the top: a process without tracing never loads the SDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': config.serviceName, 'kiungo.role': role }),
    // A test's exporter gets each span as it ends; the OTLP exporter gets them in batches.
    ...(exporter ? { spanProcessors: [new SimpleSpanProcessor(exporter)] } : { traceExporter: new OTLPTraceExporter({ url: config.endpoint }) }),
    instrumentations: [
      // Probes and scrapes are noise in a trace store.
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => (request.url ?? '').startsWith('/health'),
        // Set after the instrumentation's own url.path and url.query, so these replace them.
        startIncomingSpanHook: (request) => personalDataFreeUrl(request as IncomingMessage),
      }),
      new PgInstrumentation(),
      new IORedisInstrumentation(),
      // The REST adapter calls agencies through undici's pools, which node:http's instrumentation does not see.
      new UndiciInstrumentation(),
    ],
    // Only traces: metrics are Prometheus's (gateway/src/metrics), logs are pino's.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

/**
 * A server span's `url.path` and `url.query` without personal data: a citizen's bookings are
 * looked up by ID number in the query (`?citizen=`), and a caller may type an ID number or a phone
 * into a path. As the logs and problem answers do (redact.ts, problemDetails): a parameter named
 * like personal data or a credential is replaced, and whatever is shaped like an ID number or a
 * phone is masked, in the path and in every other value.
 */
export function personalDataFreeUrl(request: Pick<IncomingMessage, 'url'>): Attributes {
  const url = request.url ?? '/';
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  const attributes: Attributes = { 'url.path': maskPersonalDataIn(path) };
  if (mark !== -1 && mark < url.length - 1) {
    const masked = new URLSearchParams();
    for (const [key, value] of new URLSearchParams(url.slice(mark + 1))) {
      masked.append(maskPersonalDataIn(key), isSensitiveKey(key) ? REDACTED : maskPersonalDataIn(value));
    }
    attributes['url.query'] = masked.toString();
  }
  return attributes;
}

/**
 * The W3C `traceparent` of the active span, for an agency call (AgencyRegistry's `traceparent`).
 * Undefined when tracing is off: no propagator is registered then.
 */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}
