/**
 * Runs the SOAP agency simulator as its own process:
 *   npx ts-node --transpile-only test/simulators/soap-agency/main.ts --port 4201 --prefix KRA [--wsdl contracts/catalogue/kra/wsdl/kra-pin.wsdl]
 *     [--host 0.0.0.0] [--name "..."] [--username u --password p] [--path /soap/agency] [--fault-style detail|faultstring]
 * Control it over HTTP: curl -X PUT localhost:4201/_control -H 'content-type: application/json' -d '{"mode":"down"}'
 */
import { parseArgs } from 'node:util';
import { closeOnSignal, parsePort, runMain } from '../cli';
import { startSoapAgency, type SoapFaultStyle } from './soap-agency.simulator';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4201' },
      host: { type: 'string', default: '127.0.0.1' },
      prefix: { type: 'string', default: 'AG' },
      name: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      wsdl: { type: 'string' },
      path: { type: 'string' },
      'fault-style': { type: 'string', default: 'detail' },
    },
  });
  const port = parsePort(values.port);
  if ((values.username === undefined) !== (values.password === undefined)) throw new Error('--username and --password go together');
  const simulator = await startSoapAgency({
    port,
    host: values.host,
    referencePrefix: values.prefix,
    name: values.name,
    username: values.username,
    password: values.password,
    wsdl: values.wsdl,
    path: values.path,
    faultStyle: values['fault-style'] as SoapFaultStyle,
  });
  console.log(`SOAP agency simulator "${simulator.name}" listening on ${simulator.url} (WSDL: ${simulator.wsdlUrl})`);
  closeOnSignal(() => simulator.close());
}

runMain(main);
