import { getEventListeners } from 'node:events';
import { AgencyCallError } from '../agency-adapter.port';

/**
 * Controllers of calls that ended before their deadline, kept for later calls (issue 13). Node builds every AbortSignal
 * with `Object.setPrototypeOf` on a fresh EventTarget, which puts ~100 bytes in V8's old generation per signal: the
 * agency call's signal was the first of what a submit promoted (~0.7 of 3.2 KiB per submit, alloc-probe-promoted.cjs),
 * and promoted bytes are what bring the mark-compacts of the latency tail. A call is handed a kept signal only if it is
 * as good as a new one: never aborted, nobody listening. Looked at when a later call takes one, not when its own call
 * ends: undici takes its listener off when the answer's body stream closes, after the body was read, and often after
 * the next turn of the event loop. Oldest first; one still listened on stays (its listener may yet go) until newer
 * ones push it out.
 */
const endedControllers: AbortController[] = [];
const ENDED_CONTROLLERS_KEPT = 64;
/** How many kept controllers a call looks at before it makes a new one. */
const LOOKED_AT = 4;

function takeController(): AbortController {
  const looked = Math.min(endedControllers.length, LOOKED_AT);
  for (let i = 0; i < looked; i++) {
    const signal = endedControllers[i].signal;
    if (!signal.aborted && getEventListeners(signal, 'abort').length === 0) return i === 0 ? endedControllers.shift()! : endedControllers.splice(i, 1)[0];
  }
  return new AbortController();
}

function keep(controller: AbortController): void {
  if (endedControllers.length >= ENDED_CONTROLLERS_KEPT) endedControllers.shift();
  endedControllers.push(controller);
}

/**
 * Runs `work` with a signal that is aborted after `timeoutMs` (or when `abortAll` fires),
 * and settles at that moment even if `work` ignores the signal. The abort really cancels
 * the agency call (the REST adapter's undici request and node-soap take the signal), so a timed-out request does not
 * keep a socket and a bulkhead slot busy in the background. This signal is what keeps the adapter
 * port's promise (ProbeContext.signal aborts at the deadline): adapters time nothing themselves.
 */
export function withDeadline<T>(
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  abortAll?: AbortSignal,
): Promise<T> {
  // One promise settled by whichever comes first, the work or the abort: no second promise, no
  // Promise.race and no listener on our own signal, each made on every agency call (issue 13).
  return new Promise<T>((resolve, reject) => {
    const controller = takeController();
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      abortAll?.removeEventListener('abort', onAbortAll);
      return true;
    };
    const abort = (reason: AgencyCallError): void => {
      if (!settle()) return;
      controller.abort(reason);
      reject(reason);
    };
    const onAbortAll = (): void => abort(new AgencyCallError('unavailable', 'agency client closed'));
    const timer = setTimeout(() => abort(new AgencyCallError('timeout', `no answer within ${timeoutMs} ms`)), timeoutMs);
    if (abortAll?.aborted) onAbortAll();
    else abortAll?.addEventListener('abort', onAbortAll, { once: true });
    let running: Promise<T>;
    try {
      running = work(controller.signal);
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (value) => {
        if (!settle()) return;
        keep(controller);
        resolve(value);
      },
      (error: unknown) => {
        if (!settle()) return;
        keep(controller);
        reject(error);
      },
    );
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
