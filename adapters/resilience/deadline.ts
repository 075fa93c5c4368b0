import { AgencyCallError } from '../agency-adapter.port';

/**
 * Runs `work` with a signal that is aborted after `timeoutMs` (or when `abortAll` fires),
 * and settles at that moment even if `work` ignores the signal. The abort really cancels
 * the agency call (the REST adapter's undici request and node-soap take the signal), so a timed-out request does not
 * keep a socket and a bulkhead slot busy in the background.
 */
export async function withDeadline<T>(
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  abortAll?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  const onAbortAll = (): void => controller.abort(new AgencyCallError('unavailable', 'agency client closed'));
  if (abortAll?.aborted) onAbortAll();
  abortAll?.addEventListener('abort', onAbortAll, { once: true });
  const timer = setTimeout(
    () => controller.abort(new AgencyCallError('timeout', `no answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(controller.signal.reason);
    if (controller.signal.aborted) onAbort();
    else controller.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
    if (onAbort) controller.signal.removeEventListener('abort', onAbort);
    abortAll?.removeEventListener('abort', onAbortAll);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
