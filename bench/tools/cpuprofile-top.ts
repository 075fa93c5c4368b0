/**
 * Summarizes a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): the functions with the most
 * self time, and the functions of our own code with the most inclusive time, each with file:line
 * (dist/*.js positions mapped back to the TypeScript sources through their source maps).
 *
 *   node scripts/run-ts.cjs bench/tools/cpuprofile-top.ts <file.cpuprofile> [--top 10] [--scenario gateway | --all] [--callers writev]
 *
 * Only the samples taken while the scenario's load ran count (bench/run.ts writes windows.json
 * beside the profile; default scenario `gateway`), so start-up and the other scenarios stay out.
 * --all takes the whole profile; --callers NAME lists the call paths that spent NAME's self time.
 * V8 samples on wall time: on a box where other processes compete
 * for the cores, time the OS took away is charged to whatever function was running.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../lib/repo';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface Row {
  key: string;
  where: string;
  selfUs: number;
  totalUs: number;
}

const OUR_FOLDERS = ['gateway/', 'core/', 'adapters/', 'contracts/'];

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '10' },
      scenario: { type: 'string', default: 'gateway' },
      all: { type: 'boolean', default: false },
      callers: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: cpuprofile-top.ts <file.cpuprofile> [--top 10] [--scenario gateway | --all]');
  const top = Number(values.top);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const windows = values.all ? undefined : loadWindows(file, values.scenario);

  const selfByNode = selfTimes(profile, windows);
  const sampledUs = [...selfByNode.values()].reduce((a, b) => a + b, 0);
  const rows = aggregate(profile, selfByNode);
  const locate = locator();
  const pct = (us: number): string => `${((us / sampledUs) * 100).toFixed(1).padStart(5)}%`;
  const ms = (us: number): string => `${(us / 1000).toFixed(0).padStart(6)} ms`;

  const scope = windows ? `during the ${values.scenario} load (${windows.length} window(s))` : 'whole profile';
  console.log(`${file}\n${scope}: ${(sampledUs / 1e6).toFixed(2)} s sampled busy (not idle); profile wall ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s\n`);
  console.log(`Top ${top} by self time:`);
  for (const row of [...rows].sort((a, b) => b.selfUs - a.selfUs).slice(0, top)) {
    console.log(`  ${pct(row.selfUs)} ${ms(row.selfUs)}  ${row.key}  ${locate(row.where)}`);
  }
  console.log(`\nTop ${top} of our code (gateway, core, adapters, contracts) by inclusive time:`);
  const ours = rows.filter((row) => OUR_FOLDERS.some((folder) => locate(row.where).startsWith(folder)));
  for (const row of ours.sort((a, b) => b.totalUs - a.totalUs).slice(0, top)) {
    console.log(`  ${pct(row.totalUs)} ${ms(row.totalUs)}  ${row.key}  ${locate(row.where)}`);
  }
  if (values.callers) printCallers(profile, selfByNode, values.callers, top, locate, pct, ms);
  console.log('\nSelf time by package / area:');
  const areas = new Map<string, number>();
  for (const row of rows) areas.set(area(locate(row.where), row.key), (areas.get(area(locate(row.where), row.key)) ?? 0) + row.selfUs);
  for (const [name, us] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)} ${ms(us)}  ${name}`);
}

interface Window {
  fromUs: number;
  toUs: number;
}

/** The load windows of `scenario` from windows.json beside the profile. */
function loadWindows(profileFile: string, scenario: string): Window[] {
  const file = path.join(path.dirname(profileFile), 'windows.json');
  if (!existsSync(file)) throw new Error(`${file} not found: pass --all to summarize the whole profile`);
  const windows = (JSON.parse(readFileSync(file, 'utf8')) as Array<Window & { scenario: string }>).filter((w) => w.scenario === scenario);
  if (windows.length === 0) throw new Error(`no load window of scenario ${scenario} in ${file}`);
  return windows;
}

/** Microseconds of self time per node, from the sample stream (only inside `windows` when given). */
function selfTimes(profile: CpuProfile, windows: Window[] | undefined): Map<number, number> {
  const self = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (windows && !windows.some((w) => at >= w.fromUs && at <= w.toUs)) continue;
    // The delta before a sample is the time it stands for (close enough at a 1 ms interval).
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + delta);
  }
  const idle = profile.nodes.find((n) => n.callFrame.functionName === '(idle)');
  if (idle) self.delete(idle.id);
  return self;
}

/** Self and inclusive time per function (name + position), recursion counted once per stack. */
function aggregate(profile: CpuProfile, selfByNode: Map<number, number>): Row[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const rows = new Map<string, Row>();
  const keyOf = (frame: CallFrame): string => `${frame.functionName || '(anonymous)'}@${frame.url}:${frame.lineNumber}:${frame.columnNumber}`;
  const rowOf = (frame: CallFrame): Row => {
    const key = keyOf(frame);
    let row = rows.get(key);
    if (!row) {
      row = { key: frame.functionName || '(anonymous)', where: `${frame.url}:${frame.lineNumber}:${frame.columnNumber}`, selfUs: 0, totalUs: 0 };
      rows.set(key, row);
    }
    return row;
  };
  const onStack = new Map<string, number>();
  const visit = (node: ProfileNode): number => {
    const key = keyOf(node.callFrame);
    const row = rowOf(node.callFrame);
    const self = selfByNode.get(node.id) ?? 0;
    row.selfUs += self;
    onStack.set(key, (onStack.get(key) ?? 0) + 1);
    let total = self;
    for (const childId of node.children ?? []) {
      const child = byId.get(childId);
      if (child) total += visit(child);
    }
    onStack.set(key, (onStack.get(key) ?? 1) - 1);
    if ((onStack.get(key) ?? 0) === 0) row.totalUs += total;
    return total;
  };
  const root = profile.nodes[0];
  if (root) visit(root);
  return [...rows.values()];
}

/** The call paths (8 frames up) under which `name` spent its self time. */
function printCallers(
  profile: CpuProfile,
  selfByNode: Map<number, number>,
  name: string,
  top: number,
  locate: (where: string) => string,
  pct: (us: number) => string,
  ms: (us: number) => string,
): void {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const paths = new Map<string, number>();
  for (const node of profile.nodes) {
    if (node.callFrame.functionName !== name) continue;
    const frames: string[] = [];
    for (let id = parent.get(node.id); id !== undefined && frames.length < 8; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      frames.push(`${frame.functionName || '(anonymous)'} ${locate(`${frame.url}:${frame.lineNumber}:${frame.columnNumber}`)}`);
    }
    const key = frames.join('\n        < ');
    paths.set(key, (paths.get(key) ?? 0) + (selfByNode.get(node.id) ?? 0));
  }
  console.log(`\nCallers of ${name} (self time):`);
  for (const [key, us] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    if (us > 0) console.log(`  ${pct(us)} ${ms(us)}\n        < ${key}`);
  }
}

/** `file:///…/dist/core/x.js:12:4` (0-based) → `core/x.ts:13` through the source map when there is one. */
function locator(): (where: string) => string {
  const maps = new Map<string, SourceMap | undefined>();
  return (where) => {
    const match = /^(.*):(\d+):(\d+)$/.exec(where);
    if (!match || match[1] === '') return '(native/V8)';
    const [, url, line, column] = match;
    const file = url.startsWith('file://') ? fileURLToPath(url) : url;
    if (!path.isAbsolute(file)) return `node:${file.replace(/^node:/, '')}:${Number(line) + 1}`;
    if (!maps.has(file)) maps.set(file, loadSourceMap(file));
    const map = maps.get(file);
    const entry = map?.findEntry(Number(line), Number(column));
    if (entry && 'originalSource' in entry && entry.originalSource) {
      const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(file), entry.originalSource);
      return `${path.relative(REPO_ROOT, source)}:${entry.originalLine + 1}`;
    }
    return `${path.relative(REPO_ROOT, file)}:${Number(line) + 1}`;
  };
}

function loadSourceMap(file: string): SourceMap | undefined {
  const mapFile = `${file}.map`;
  if (!existsSync(mapFile)) return undefined;
  try {
    return new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
  } catch {
    return undefined;
  }
}

function area(location: string, name: string): string {
  if (location === '(native/V8)') return name.startsWith('(') ? name : '(native/V8)';
  if (location.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(location);
  if (pkg) return pkg[1];
  const ours = OUR_FOLDERS.find((folder) => location.startsWith(folder));
  return ours ? `${ours.slice(0, -1)} (ours)` : location.split('/')[0];
}

main();
