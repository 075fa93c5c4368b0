#!/usr/bin/env node
/**
 * Pre-step of `npm start`, `npm test` and every `npm run` script that runs TypeScript
 * (scripts/run-ts.cjs: token, migrate, seed, bench, chaos, adapter:check, adapter:new) on a
 * fresh clone: runs `npm ci` when node_modules is missing or older than package-lock.json.
 * "Older" is judged first by modification time and,
 * when that says stale, by content: npm's own record of what it installed
 * (node_modules/.package-lock.json) is compared with the lock file, because a `git pull` or
 * checkout touches package-lock.json without changing it. KIUNGO_SKIP_INSTALL=1 turns it off.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const lockFile = path.join(root, 'package-lock.json');
const installedRecord = path.join(root, 'node_modules', '.package-lock.json');

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The reason node_modules needs `npm ci`, or null when it is up to date. */
function staleReason() {
  const installedAt = mtimeMs(installedRecord);
  if (installedAt === undefined) return 'node_modules is missing';
  const lockedAt = mtimeMs(lockFile);
  if (lockedAt === undefined || installedAt >= lockedAt) return null;
  const wanted = JSON.parse(fs.readFileSync(lockFile, 'utf8')).packages || {};
  const installed = JSON.parse(fs.readFileSync(installedRecord, 'utf8')).packages || {};
  // An install with --omit=dev has no dev packages: do not "repair" a production image.
  const devInstalled = Object.values(installed).some((entry) => entry.dev);
  for (const [location, entry] of Object.entries(wanted)) {
    if (location === '' || entry.link || entry.optional || (entry.dev && !devInstalled)) continue;
    const got = installed[location];
    if (!got) return `${location} is not installed`;
    if (got.version !== entry.version) return `${location} is ${got.version}, package-lock.json wants ${entry.version}`;
  }
  return null;
}

/**
 * Runs `npm ci` when node_modules is stale and returns npm's exit code (0 when nothing was
 * needed). `stdout`: where npm's and our own output go (`'inherit'`, or 2 to keep stdout clean).
 */
function ensureInstalled(stdout = 'inherit') {
  if (process.env.KIUNGO_SKIP_INSTALL === '1') return 0;
  const reason = staleReason();
  if (!reason) return 0;
  const say = stdout === 2 ? console.error : console.log;
  say(`[ensure-installed] ${reason}: running npm ci`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['inherit', stdout, 'inherit'], shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  if (result.status !== 0) console.error('[ensure-installed] npm ci failed: run `npm install`, then try again.');
  return result.status ?? 1;
}

module.exports = { ensureInstalled };

if (require.main === module) process.exit(ensureInstalled());
