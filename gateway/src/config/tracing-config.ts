/**
 * OpenTelemetry tracing, read before anything else is loaded (gateway/src/tracing/register.ts):
 * the instrumentations must patch `http`, `pg` and `ioredis` before the gateway requires them.
 *
 *   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  full URL of an OTLP/HTTP traces endpoint (…/v1/traces), or
 *   OTEL_EXPORTER_OTLP_ENDPOINT         the collector's base URL (/v1/traces is appended).
 *                                       Neither set: tracing is off — no SDK, nothing patched.
 *   OTEL_SERVICE_NAME                   default `kiungo`; the process role is a resource attribute.
 */
export interface TracingConfig {
  /** The OTLP/HTTP traces URL; undefined: tracing off. */
  readonly endpoint?: string;
  readonly serviceName: string;
}

export function readTracingConfig(env: Readonly<Record<string, string | undefined>> = process.env): TracingConfig {
  const given = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const traces = given('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = given('OTEL_EXPORTER_OTLP_ENDPOINT');
  const endpoint = traces ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) {
    throw new Error(`OTEL_EXPORTER_OTLP_${traces ? 'TRACES_' : ''}ENDPOINT: an http(s) URL, got "${endpoint}"`);
  }
  return Object.freeze({ endpoint, serviceName: given('OTEL_SERVICE_NAME') ?? 'kiungo' });
}
