import { Counter, Histogram, Registry } from 'prom-client';
import { TalliedCounter, TalliedHistogram } from './tally';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LABELS = ['method', 'route', 'status'] as const;
type Label = (typeof LABELS)[number];

/** Two registries with the same default label, one instrument each: prom-client's and the tallied one. */
function registries(): [Registry, Registry] {
  const made: [Registry, Registry] = [new Registry(), new Registry()];
  for (const registry of made) registry.setDefaultLabels({ role: 'api' });
  return made;
}

/** A deterministic stream of values: bounds themselves, 0, past the last bound, and in between. */
function values(n: number): number[] {
  let seed = 7;
  const random = (): number => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  return Array.from({ length: n }, (_, i) => (i % 5 === 0 ? BUCKETS[i % BUCKETS.length] : i % 7 === 0 ? 0 : i % 11 === 0 ? 12 + random() : random() * random() * 3));
}

const SERIES: Array<Record<Label, string>> = [
  { method: 'POST', route: '/v1/transactions', status: '200' },
  { method: 'GET', route: '/v1/transactions/:id', status: '404' },
  { method: 'POST', route: 'unmatched', status: '422' },
];

describe('TalliedHistogram', () => {
  it('is exposed byte for byte as prom-client’s Histogram fed the same observations, text and JSON', async () => {
    const [ours, theirs] = registries();
    const tallied = new TalliedHistogram<Label>('h_seconds', 'help "quoted" \\ text', LABELS, BUCKETS, ours);
    const reference = new Histogram<Label>({ name: 'h_seconds', help: 'help "quoted" \\ text', labelNames: [...LABELS], buckets: BUCKETS, registers: [theirs] });
    expect(await ours.metrics()).toBe(await theirs.metrics()); // no series yet
    values(5000).forEach((value, i) => {
      const labels = SERIES[(i * 7) % SERIES.length];
      tallied.observe(Object.values(labels).join('\u0000'), () => ({ ...labels }), value);
      reference.observe({ ...labels }, value);
    });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('refuses a value that is not a finite number, as prom-client does', () => {
    const [ours] = registries();
    const tallied = new TalliedHistogram<Label>('h_seconds', 'help', LABELS, BUCKETS, ours);
    expect(() => tallied.observe('k', () => SERIES[0], Number.NaN)).toThrow(TypeError);
    expect(() => new Histogram<Label>({ name: 'x', help: 'x', labelNames: [...LABELS], registers: [] }).observe(SERIES[0], Number.NaN)).toThrow(TypeError);
  });
});

describe('TalliedCounter', () => {
  it('is exposed as prom-client’s Counter incremented once per call, across scrapes', async () => {
    const [ours, theirs] = registries();
    const labelNames = ['service', 'state'] as const;
    const tallied = new TalliedCounter({ name: 'c_total', help: 'steps', labelNames, registry: ours });
    const reference = new Counter({ name: 'c_total', help: 'steps', labelNames: [...labelNames], registers: [theirs] });
    const feed = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const labels = { service: `s${i % 3}`, state: i % 4 === 0 ? 'received' : 'completed' };
        tallied.inc(`${labels.service}\u0000${labels.state}`, () => labels);
        reference.inc(labels);
      }
    };
    expect(await ours.metrics()).toBe(await theirs.metrics());
    feed(1000);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    feed(37); // counts added after a scrape are added once, at the next
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });
});
