/**
 * The gateway is measured from the built code, as it runs in production. `npm run build` runs
 * when dist/ is missing or any compiled source is newer than the built entry point.
 */
import { transformFileSync, type Options } from '@swc/core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './repo';

export const GATEWAY_ENTRY = path.join(REPO_ROOT, 'dist', 'gateway', 'src', 'main.js');

/** The `lean` scenario's server, compiled beside the gateway's build so that its imports of core/ and adapters/ are the built ones. */
export const LEAN_ENTRY = path.join(REPO_ROOT, 'dist', 'bench', 'lean', 'lean-server.js');

/** What tsconfig.build.json compiles (tests excluded). */
const SOURCE_DIRS = ['gateway/src', 'adapters', 'contracts', 'core', 'test/simulators'];
const NOT_BUILT = /\.(spec|int-spec|e2e-spec)\.ts$/;

export type BuildStatus = 'up-to-date' | 'built';

export function ensureBuilt(log: (line: string) => void): BuildStatus {
  const built = existsSync(GATEWAY_ENTRY) ? statSync(GATEWAY_ENTRY).mtimeMs : undefined;
  const newest = newestSource();
  if (built !== undefined && built >= newest.mtimeMs) return 'up-to-date';

  log(built === undefined ? 'dist/ is missing: npm run build …' : `dist/ is older than ${newest.file}: npm run build …`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', '--silent', 'build'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' });
  if (result.status !== 0) {
    // tsc may still have emitted files, but they would not be the sources we claim to measure.
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(0, 30).join('\n');
    throw new Error(`npm run build failed (exit ${result.status}); fix it or run with --no-build:\n${output}`);
  }
  return 'built';
}

function newestSource(): { file: string; mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 };
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith('.ts') && !NOT_BUILT.test(entry.name)) {
        const mtimeMs = statSync(full).mtimeMs;
        if (mtimeMs > newest.mtimeMs) newest = { file: path.relative(REPO_ROOT, full), mtimeMs };
      }
    }
  };
  for (const dir of SOURCE_DIRS) {
    const full = path.join(REPO_ROOT, dir);
    if (existsSync(full)) visit(full);
  }
  return newest;
}

/**
 * Compiles bench/lean/lean-server.ts to LEAN_ENTRY with swc (the tests' compiler, .swcrc), so the
 * lean server runs plain JavaScript like the gateway: no transpiler loaded, no memory spent on one.
 */
export function buildLeanServer(): string {
  const source = path.join(REPO_ROOT, 'bench', 'lean', 'lean-server.ts');
  const options = JSON.parse(readFileSync(path.join(REPO_ROOT, '.swcrc'), 'utf8')) as Options;
  const { code } = transformFileSync(source, { ...options, swcrc: false, sourceMaps: false, filename: source });
  mkdirSync(path.dirname(LEAN_ENTRY), { recursive: true });
  writeFileSync(LEAN_ENTRY, code);
  return LEAN_ENTRY;
}
