/**
 * npm run adapter:new -- --kind rest|soap|file-drop --agency <code> [--dir contracts/catalogue]
 */
import { parseArgs } from 'node:util';
import { scaffoldAgency } from './scaffold';

function main(): number {
  const { values } = parseArgs({
    options: { kind: { type: 'string' }, agency: { type: 'string' }, dir: { type: 'string', default: 'contracts/catalogue' } },
  });
  if (!values.kind || !values.agency) {
    console.error('usage: npm run adapter:new -- --kind rest|soap|file-drop --agency <code> [--dir contracts/catalogue]');
    return 2;
  }
  const folder = scaffoldAgency({ kind: values.kind, agency: values.agency, dir: values.dir });
  console.log(`Wrote ${folder}. Read its README.md, then: npm run adapter:check -- ${folder} --live`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
