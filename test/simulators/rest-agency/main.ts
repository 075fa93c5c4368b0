/**
 * Runs the REST agency simulator as its own process:
 *   npx ts-node --transpile-only test/simulators/rest-agency/main.ts --port 4101 --prefix NRB [--host 0.0.0.0] [--name "..."] [--token secret]
 * Control it over HTTP: curl -X PUT localhost:4101/_control -H 'content-type: application/json' -d '{"mode":"down"}'
 */
import { parseArgs } from 'node:util';
import { startRestAgency } from './rest-agency.simulator';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4101' },
      host: { type: 'string', default: '127.0.0.1' },
      prefix: { type: 'string', default: 'AG' },
      name: { type: 'string' },
      token: { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  const simulator = await startRestAgency({
    port,
    host: values.host,
    referencePrefix: values.prefix,
    name: values.name,
    bearerToken: values.token,
  });
  console.log(`REST agency simulator "${simulator.name}" listening on ${simulator.url}`);
  const stop = (): void => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
