/**
 * npm run adapter:check -- <agency-folder> [--live] [--endpoint <url-or-folder>]
 * Validates the agency folder (agency.json, schemas, fixtures); with --live, runs every ok request
 * fixture through the real adapter against the agency's sandbox: the endpoint in the agency file,
 * its environment variable (baseUrlEnv, endpointEnv, outboxEnv...), or --endpoint. Secrets come from
 * the environment variables the agency file names. Exit code 0 when everything passes, 1 otherwise.
 */
import { parseArgs } from 'node:util';
import { checkAgency, renderReport } from './conformance-check';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { live: { type: 'boolean', default: false }, endpoint: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help || positionals.length !== 1) {
    console.error('usage: npm run adapter:check -- <agency-folder> [--live] [--endpoint <url-or-folder>]');
    return values.help ? 0 : 2;
  }
  const report = await checkAgency(positionals[0], { live: values.live, endpoint: values.endpoint });
  console.log(renderReport(report, values.live));
  return report.passed ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
