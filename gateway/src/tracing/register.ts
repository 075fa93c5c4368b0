/**
 * Imported first by main.ts, before anything that loads `http`, `pg` or `ioredis`: starts tracing
 * when an OTLP endpoint is configured, and flushes it when the process is told to stop.
 */
import { parseRole } from '../config/env.schema';
import { readTracingConfig } from '../config/tracing-config';
import { startTracing } from './tracing';

let role = 'all';
try {
  role = parseRole();
} catch {
  // main.ts reports a bad role; tracing just labels the process.
}
const tracing = startTracing(readTracingConfig(), role);
if (tracing) {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void tracing.shutdown().catch(() => undefined));
}
