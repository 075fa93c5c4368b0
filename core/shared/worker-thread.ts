import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Starts `<name>` beside `callerFile` (pass `__filename`) on a worker thread: the compiled .js in
 * dist/, or the .ts source under ts-node or Jest, where the thread registers ts-node first (as
 * scripts/run-ts.cjs does), since a new thread has neither's loader. `data` is the worker's
 * `workerData` (structured-cloned); its keys `entry`, `tsNode` and `tsconfig` are taken.
 */
export function startWorker(callerFile: string, name: string, data: Record<string, unknown>): Worker {
  const extension = path.extname(callerFile);
  const entry = path.join(path.dirname(callerFile), `${name}${extension}`);
  const loader = extension === '.ts' ? { tsNode: require.resolve('ts-node'), tsconfig: path.resolve(__dirname, '..', '..', 'tsconfig.json') } : {};
  return new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: { ...data, entry, ...loader } });
}

const WORKER_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.tsNode) {
  require(workerData.tsNode).register({ project: workerData.tsconfig, transpileOnly: true, swc: true });
}
require(workerData.entry);
`;
