#!/usr/bin/env node
/**
 * Runs a TypeScript file directly: `node scripts/run-ts.cjs <file.ts> [args...]`
 * (npm run migrate / token / seed / bench / chaos / adapter:check / adapter:new), installing the
 * dependencies first on a fresh clone. Transpile only, with swc, so it starts in well under a
 * second; type errors are the job of `npm run typecheck`. ts-node maps tsconfig's
 * experimentalDecorators and emitDecoratorMetadata onto swc, so Nest providers work too.
 */
'use strict';
const path = require('node:path');
const Module = require('node:module');

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/run-ts.cjs <file.ts> [args...]');
  process.exit(2);
}

const root = path.resolve(__dirname, '..');
// A fresh clone has no node_modules: install first (npm ci), as npm start and npm test do, instead
// of a MODULE_NOT_FOUND stack trace. npm's output goes to stderr: `$(npm run -s token …)` reads stdout.
const status = require('./ensure-installed.cjs').ensureInstalled(2);
if (status !== 0) process.exit(status);
require('ts-node').register({
  project: path.join(root, 'tsconfig.json'),
  transpileOnly: true,
  swc: true,
});

// Make the script the main module, as `node file.js args` would: `require.main === module`
// holds inside it and it sees its own arguments from process.argv[2] on.
process.argv = [process.argv[0], path.resolve(file), ...args];
Module.runMain();
