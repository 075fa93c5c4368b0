/**
 * One agency's mode-propagation histogram on a process, from its /metrics: how many switches it
 * heard on the event bus, and how many of them within 100 ms of their publication (the `le="0.1"`
 * bucket). The delay is the process's own measurement, not the test's wall clock.
 */
export async function modePropagation(metricsUrl: string, agency: string): Promise<{ heard: number; within100ms: number }> {
  const text = await fetch(metricsUrl).then((r) => r.text());
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    heard: value(new RegExp(`^kiungo_agency_mode_propagation_seconds_count\\{[^}]*agency="${agency}"[^}]*\\} (\\S+)$`, 'm')),
    within100ms: value(new RegExp(`^kiungo_agency_mode_propagation_seconds_bucket\\{(?=[^}]*le="0.1")(?=[^}]*agency="${agency}")[^}]*\\} (\\S+)$`, 'm')),
  };
}
