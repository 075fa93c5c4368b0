#!/usr/bin/env node
/**
 * `npm start`: the gateway on embedded defaults, from a fresh clone. Installs dependencies when
 * they are missing, then runs api + worker in one process (PGlite in .kiungo/, in-process queue,
 * development signing key, simulated demo agencies). Extra arguments pass through: `npm start -- api`.
 */
'use strict';
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const installed = spawnSync(process.execPath, [path.join(__dirname, 'ensure-installed.cjs')], { cwd: root, stdio: 'inherit' });
if (installed.status !== 0) process.exit(installed.status ?? 1);

process.chdir(root);
process.argv = [process.argv[0], path.join(__dirname, 'run-ts.cjs'), path.join(root, 'gateway', 'src', 'main.ts'), ...process.argv.slice(2)];
require('./run-ts.cjs');
