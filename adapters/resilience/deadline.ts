import { AgencyCallError } from '../agency-adapter.port';

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
    const controller = new AbortController();
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
        if (settle()) resolve(value);
      },
      (error: unknown) => {
        if (settle()) reject(error);
      },
    );
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
