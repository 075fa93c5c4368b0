/**
 * Runs the REST agency simulator as its own process:
 *   npx ts-node --transpile-only test/simulators/rest-agency/main.ts --port 4101 --prefix NRB [--host 0.0.0.0] [--name "..."] [--token secret]
 * Control it over HTTP: curl -X PUT localhost:4101/_control -H 'content-type: application/json' -d '{"mode":"down"}'
 */
import { parseArgs } from 'node:util';
import { closeOnSignal, parsePort, runMain } from '../cli';
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
  const port = parsePort(values.port);
  const simulator = await startRestAgency({
    port,
    host: values.host,
    referencePrefix: values.prefix,
    name: values.name,
    bearerToken: values.token,
  });
  console.log(`REST agency simulator "${simulator.name}" listening on ${simulator.url}`);
  closeOnSignal(() => simulator.close());
}

runMain(main);
