/**
 * Requests a simulator holds on purpose (`slow`, `hang` modes). Each hold can be released early,
 * so that close() ends every held request instead of waiting for its timer or for the client.
 */
export class HeldRequests {
  private readonly releases = new Set<() => void>();

  /** Resolves after `ms` (never, when null), when `until` settles, or at releaseAll(). */
  hold(ms: number | null, until?: Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      const release = (): void => {
        if (timer) clearTimeout(timer);
        this.releases.delete(release);
        resolve();
      };
      const timer = ms === null ? undefined : setTimeout(release, ms);
      this.releases.add(release);
      void until?.then(release);
    });
  }

  releaseAll(): void {
    for (const release of [...this.releases]) release();
  }
}
