/**
 * The bench's side of the statement probe (preload.cjs, loaded into the gateway processes and the
 * lean server): how many SQL statements and Redis commands a process sent, and exactly which ones
 * while recording. Statements per request = the difference of two counts ÷ the responses.
 */
import path from 'node:path';
import type { ManagedProcess } from '../processes';

/** `node --require <this>`: the arguments that load the probe into a Node child. */
export const PROBE_NODE_ARGS: readonly string[] = ['--require', path.join(__dirname, 'preload.cjs')];

export interface ProbeCounts {
  statements: number;
  redis: Record<string, number>;
}

/** A parameter as `pg` put it on the wire: text, binary (hex), or NULL. */
export type WireValue = { text: string } | { hex: string } | { null: true };

export interface RecordedStatement {
  text: string;
  /** Set when sent as a named (server-side prepared) statement. */
  name?: string;
  values: WireValue[];
}

export interface Recording {
  statements: RecordedStatement[];
  /** Redis command names, in order. */
  redis: string[];
}

/** What the probe's tail watch saw in a process (preload.cjs, tail.cjs); times in ms since the epoch. */
export interface ProcessTail {
  from: number;
  to: number;
  /** monitorEventLoopDelay over the watch, ms. */
  loopDelay: { p50: number; p99: number; max: number; mean: number };
  /** Share of the watch the event loop was busy (0–1). */
  loopUtilization: number;
  /** [when the 10 ms timer was due, how late it fired] when more than 5 ms late. */
  stalls: Array<[number, number]>;
  /** [start, pause ms, kind] of every garbage collection. */
  gc: Array<[number, number, string]>;
  /** [arrived, ms to answer] of every HTTP request served. */
  served: Array<[number, number]>;
  /** [sent, round trip ms, command] of every Redis command (ioredis). */
  redis: Array<[number, number, string]>;
  /** [sent, round trip ms, statement name or the text's start] of every SQL statement sent through `pg`. */
  queries: Array<[number, number, string]>;
  /** [when, KiB used in the old generation] every 250 ms. */
  heap: Array<[number, number]>;
  /** Connections taken from pg pools (`full`: of which asked for when every connection was busy); [asked at, ms waited, 1 if the pool was full] for waits over 1 ms. */
  pool: { connects: number; full: number; waitTotalMs: number; waits: Array<[number, number, number]> };
}

export interface Probe {
  counts(): Promise<ProbeCounts>;
  /** Starts the tail watch; the returned function stops it and hands back what it saw. */
  watchTail(): Promise<() => Promise<ProcessTail>>;
  /** Records everything the process sends while `work` runs. */
  record(work: () => Promise<void>): Promise<Recording>;
}

let nextId = 0;

export function probeOf(managed: ManagedProcess): Probe {
  const ask = <T>(message: Record<string, unknown>, reply: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        managed.child.off('message', onMessage);
        reject(new Error(`${managed.name} did not answer the statement probe (was it started with PROBE_NODE_ARGS?)`));
      }, 10_000);
      const onMessage = (answer: { probe?: string; id?: number }): void => {
        if (answer?.probe !== reply || answer.id !== id) return;
        clearTimeout(timer);
        managed.child.off('message', onMessage);
        resolve(answer as T);
      };
      managed.child.on('message', onMessage);
      if (!managed.child.send) {
        clearTimeout(timer);
        reject(new Error(`${managed.name} has no IPC channel (spawnManaged with ipc: true)`));
        return;
      }
      managed.child.send({ ...message, id });
    });
  return {
    counts: async () => {
      const { statements, redis } = await ask<ProbeCounts>({ probe: 'counts' }, 'counts');
      return { statements, redis };
    },
    watchTail: async () => {
      await ask({ probe: 'tail', on: true }, 'tailing');
      return async () => {
        const { probe: _reply, id: _id, on: _on, ...seen } = await ask<ProcessTail & { probe: string; id: number; on: boolean }>({ probe: 'tail', on: false }, 'tailed');
        return seen;
      };
    },
    record: async (work) => {
      await ask({ probe: 'record', on: true }, 'recording');
      let failure: unknown;
      await work().catch((error: unknown) => (failure = error ?? new Error('recorded work failed')));
      // Always stop, so a failed run does not leave the process recording.
      const recorded = await ask<Recording>({ probe: 'record', on: false }, 'recorded');
      if (failure) throw failure;
      return { statements: recorded.statements, redis: recorded.redis };
    },
  };
}

/** Statements and Redis commands between two counts, per request. */
export function perRequest(before: ProbeCounts, after: ProbeCounts, requests: number): { statements: number; redis: number; redisByCommand: Record<string, number> } {
  const redisByCommand: Record<string, number> = {};
  for (const [command, n] of Object.entries(after.redis)) {
    const delta = n - (before.redis[command] ?? 0);
    if (delta > 0) redisByCommand[command] = delta;
  }
  const redis = Object.values(redisByCommand).reduce((a, b) => a + b, 0);
  const per = (n: number): number => (requests > 0 ? Math.round((n / requests) * 100) / 100 : 0);
  return { statements: per(after.statements - before.statements), redis: per(redis), redisByCommand };
}

export interface StatementWatch {
  /** Per process: statements and Redis commands per response over the window (its background work included). */
  stop(requests: number): Promise<Record<string, { statements: number; redis: number; redisByCommand: Record<string, number> }>>;
}

/** Starts counting what each process sends, e.g. { api: stack.api.probe, worker: stack.worker.probe }. */
export async function watchStatements(probes: Record<string, Probe>): Promise<StatementWatch> {
  const before = Object.fromEntries(await Promise.all(Object.entries(probes).map(async ([label, probe]) => [label, await probe.counts()] as const)));
  return {
    stop: async (requests) =>
      Object.fromEntries(await Promise.all(Object.entries(probes).map(async ([label, probe]) => [label, perRequest(before[label], await probe.counts(), requests)] as const))),
  };
}
