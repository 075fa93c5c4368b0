import 'reflect-metadata';
// First: tracing (when configured) must patch http, pg and ioredis before anything loads them.
import './tracing/register';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AppModule } from './app.module';
import { mintDevToken } from './auth';
import { ConfigError, loadConfig, parseRole } from './config/env.schema';
import { createHttpApp } from './platform';
import { buildRuntime } from './runtime/build-runtime';
import type { KiungoRuntime } from './runtime/runtime';

/**
 * `node dist/gateway/src/main.js [all|api|worker]`. Embedded defaults when nothing is configured:
 * PGlite in KIUNGO_DATA_DIR, in-process queue, development signing key, simulated demo agencies.
 */
async function main(): Promise<void> {
  let config;
  let role;
  try {
    role = parseRole(process.argv.slice(2));
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`kiungo: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  const runtime = await buildRuntime(config, role);
  const app = await createHttpApp(AppModule.forRuntime(runtime), config);
  await app.listen({ port: config.port, host: config.host });
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  process.stdout.write(await banner(runtime, url));
}

async function banner(runtime: KiungoRuntime, url: string): Promise<string> {
  const lines = [`\nKiungo ${runtime.role} listening on ${url}  (mode: ${runtime.config.mode}; docs: ${url}/docs)\n`];
  if (runtime.config.mode !== 'embedded' || runtime.role === 'worker') return lines.join('');
  const token = await mintDevToken({ role: 'officer', centre: 'NRB-GPO', subject: 'demo-officer', expiresIn: '12h' }, runtime.config);
  const service = runtime.catalogue.services()[0];
  const body = JSON.stringify({
    service: service.code,
    channel: 'counter',
    centre: 'NRB-GPO',
    citizen: { idNumber: '12345678', phone: '+254712345678' },
    payload: exampleFor(runtime, service.code),
  });
  lines.push(
    `\nA development token (officer at NRB-GPO, 12 h; mint others with \`npm run token -- --role <role>\`):\n  export TOKEN=${token}\n`,
    `\nSubmit a transaction:\n  curl -s -X POST ${url}/v1/transactions -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -H "Idempotency-Key: $(date +%s%N)" -d '${body}'\n`,
  );
  if (runtime.config.ussd.secret !== undefined) {
    lines.push(`\nUSSD callback for Africa's Talking (the key is KIUNGO_USSD_SECRET, from ${runtime.config.ussd.source}):\n  POST ${url}/v1/channels/ussd?key=${runtime.config.ussd.secret}\n`);
  }
  if (runtime.demo) {
    lines.push('\nSimulated agencies (make one slow, flaky, down or rejecting: curl -X PUT <url>/_control -H "Content-Type: application/json" -d \'{"mode":"down"}\'):\n');
    for (const [code, agencyUrl] of Object.entries(runtime.demo.agencies)) lines.push(`  ${code.padEnd(6)} ${agencyUrl}\n`);
  }
  return lines.join('');
}

/** The first `ok` request fixture the agency ships for the service: a payload known to be valid. */
function exampleFor(runtime: KiungoRuntime, serviceCode: string): unknown {
  const service = runtime.catalogue.service(serviceCode);
  const agency = service && runtime.catalogue.agency(service.agencyCode);
  if (!agency) return {};
  const dir = path.join(agency.folder, 'fixtures', `${serviceCode}.request`, 'ok');
  const first = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort()[0] : undefined;
  return first ? JSON.parse(readFileSync(path.join(dir, first), 'utf8')) : {};
}

main().catch((error: Error) => {
  process.stderr.write(`kiungo: start-up failed: ${error.message}\n`);
  process.exit(1);
});
