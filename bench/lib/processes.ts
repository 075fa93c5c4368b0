/**
 * Child processes the bench starts (simulator, gateway api and worker), tracked by the pid we
 * spawned so that every one of them is stopped at the end, on error and on Ctrl-C — never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** The last bytes of a child's output, for the error message when it fails to start or dies. */
const OUTPUT_TAIL_CHARS = 16_000;

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Recent stdout + stderr (the tail only). */
  output(): string;
  running(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Open an IPC channel (a Node child): the statement probe answers on it (bench/lib/probe). */
  ipc?: boolean;
}

const live = new Set<ManagedProcess>();

export function spawnManaged(name: string, command: string, args: readonly string[], options: SpawnOptions): ManagedProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command} ${args.join(' ')})`);
  const pid = child.pid;
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  // Both pipes are always drained: a child blocked on a full pipe would look like a slow gateway.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const managed: ManagedProcess = {
    name,
    pid,
    child,
    output: () => tail,
    running: () => child.exitCode === null && child.signalCode === null,
    stop: async (graceMs = 5000) => {
      if (managed.running()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (managed.running()) child.kill('SIGKILL');
        }, graceMs);
        await exited;
        clearTimeout(timer);
      }
      live.delete(managed);
    },
  };
  live.add(managed);
  child.once('exit', () => {
    if (!managed.running()) live.delete(managed);
  });
  return managed;
}

/** Stops every process still running, newest first (the gateway before the agency it calls). */
export async function stopAllProcesses(graceMs = 5000): Promise<void> {
  for (const managed of [...live].reverse()) await managed.stop(graceMs);
}

/** Last resort from a synchronous `exit` handler: SIGKILL whatever is left, by pid. */
export function killAllProcessesNow(): void {
  for (const managed of live) {
    if (managed.running()) managed.child.kill('SIGKILL');
  }
  live.clear();
}

/** Polls `probe` until it returns true; throws naming `what` (and the process output) otherwise. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  what: string,
  options: { timeoutMs: number; everyMs?: number; process?: ManagedProcess },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.process && !options.process.running()) {
      throw new Error(`${options.process.name} exited before ${what}:\n${options.process.output()}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      const output = options.process ? `\n${options.process.name} output:\n${options.process.output()}` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${output}`);
    }
    await sleep(options.everyMs ?? 100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
