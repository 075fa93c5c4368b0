/**
 * "No log line at any level carries an ID number or a phone": checked on every e2e run. Apps the
 * tests start in-process log at `trace` into `leakCheckingDestination()`, and gateway child
 * processes run at `trace` with their output fed to `checkLogOutput`. Each line is tested as it is
 * written (one regex test, no file per line); a line carrying something shaped like a national ID
 * (7–8 digits standing alone: every test ID number the factories and specs use) or a Kenyan
 * mobile number is appended, masked, to this worker's leak file. Global teardown fails the run
 * when any leak file has a line (`reportLogLeaks`).
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import { maskPersonalDataIn, NATIONAL_ID_LIKE, PHONE_LIKE } from '../../core/shared/personal-data';
import { TEST_RUN_ID_ENV } from './services';

const LEAK_DIR = path.resolve(__dirname, '..', '..', '.tmp');
/** A child's own process id in Node's warnings (`(node:1234567) Warning: …`) is not personal data. */
const NODE_PID = /\(node:\d+\)/g;

function leakFile(runId = process.env[TEST_RUN_ID_ENV] ?? 'local'): string {
  return path.join(LEAK_DIR, `log-leaks-${runId}-${process.env.JEST_WORKER_ID ?? '0'}.jsonl`);
}

/** The personal-data shapes `line` carries (none: an empty list). */
export function personalDataIn(line: string): string[] {
  const text = line.replace(NODE_PID, '');
  return [...(text.match(NATIONAL_ID_LIKE) ?? []), ...(text.match(PHONE_LIKE) ?? [])];
}

/** Records every line of `text` (one or more log lines) that carries personal data; `source` names where it came from. */
export function checkLogOutput(text: string, source: string): void {
  // Cheap first: most lines have no run of seven digits at all.
  if (!/[0-9]{7}/.test(text)) return;
  for (const line of text.split('\n')) {
    if (personalDataIn(line).length === 0) continue;
    mkdirSync(LEAK_DIR, { recursive: true });
    const suite = typeof expect === 'function' ? path.relative(path.resolve(__dirname, '..', '..'), expect.getState().testPath ?? '') : '';
    const test = typeof expect === 'function' ? (expect.getState().currentTestName ?? '') : '';
    appendFileSync(leakFile(), `${JSON.stringify({ suite, test, source, line: maskPersonalDataIn(line).slice(0, 500) })}\n`);
  }
}

/** A pino destination for in-process apps: every line checked, none kept. */
export function leakCheckingDestination(source = 'in-process app'): DestinationStream {
  return { write: (line: string) => checkLogOutput(line, source) };
}

/** Global teardown: the leaks of this run, as a message, or undefined when there were none. Removes the files. */
export function reportLogLeaks(runId = process.env[TEST_RUN_ID_ENV] ?? 'local'): string | undefined {
  if (!existsSync(LEAK_DIR)) return undefined;
  const files = readdirSync(LEAK_DIR).filter((name) => name.startsWith(`log-leaks-${runId}-`));
  const leaks: string[] = [];
  for (const name of files) {
    const file = path.join(LEAK_DIR, name);
    leaks.push(...readFileSync(file, 'utf8').split('\n').filter(Boolean));
    rmSync(file, { force: true });
  }
  if (leaks.length === 0) return undefined;
  return `${leaks.length} log line(s) carried an ID number or a phone number (shown masked):\n  ${leaks.slice(0, 20).join('\n  ')}`;
}
