/**
 * What every simulator's main.ts does around its own options: read a port, stop cleanly on
 * Ctrl-C / SIGTERM, and print a failure as one line with exit code 1.
 */

export function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${text}`);
  return port;
}

/** On SIGINT or SIGTERM: `beforeClose` (timers), then `close`, then exit 0 (1 if close failed). */
export function closeOnSignal(close: () => Promise<void>, beforeClose?: () => void): void {
  const stop = (): void => {
    beforeClose?.();
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
