import { readFileSync } from 'node:fs';
import path from 'node:path';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { inNairobi, SettableClock } from '../factories/clock';
import { eventually, startTestApp, type TestApp } from '../factories/app';
import { json, nrbEnvelope, submit } from './transactions.helpers';
import { centreCode, createCentre, ID_CARD, queueCatalogue, takeTicket } from './queue.helpers';

/** Every family the operations room reads (issue 12 item 1), and what each must say after the traffic below. */
const FAMILIES: Record<string, PrometheusFamily['type']> = {
  kiungo_http_request_duration_seconds: 'HISTOGRAM',
  kiungo_transactions_total: 'COUNTER',
  kiungo_transactions_open: 'GAUGE',
  kiungo_agency_call_duration_seconds: 'HISTOGRAM',
  kiungo_agency_breaker_state: 'GAUGE',
  kiungo_agency_breaker_transitions_total: 'COUNTER',
  kiungo_agency_calls_in_flight: 'GAUGE',
  kiungo_agency_mode: 'GAUGE',
  kiungo_agency_replay_paused: 'GAUGE',
  kiungo_retry_queue_jobs: 'GAUGE',
  kiungo_replay_backlog: 'GAUGE',
  kiungo_replays_total: 'COUNTER',
  kiungo_tickets_waiting: 'GAUGE',
  kiungo_bookings_upcoming: 'GAUGE',
  kiungo_db_pool_connections: 'GAUGE',
  nodejs_eventloop_lag_seconds: 'GAUGE',
  nodejs_heap_size_used_bytes: 'GAUGE',
};

const DASHBOARD = path.resolve(__dirname, '..', '..', 'deploy', 'grafana', 'kiungo-operations.json');

function sample(families: PrometheusFamily[], name: string, labels: Record<string, string>): number | undefined {
  const family = families.find((f) => f.name === name);
  const found = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return found ? Number(found.value) : undefined;
}

/**
 * A histogram series' `_count`. parse-prometheus-text-format 1.1.1 folds a histogram's labelled
 * series into one (its flattening ignores labels), so these are read from the sample lines.
 */
function histogramCount(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}_count\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (!match) continue;
    const present = Object.fromEntries([...match[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(match[2]);
  }
  return undefined;
}

/** Metric names a PromQL expression reads (histogram series back to their family). */
function metricNamesIn(expression: string): string[] {
  const withoutLabels = expression.replace(/\{[^}]*\}/g, '').replace(/"[^"]*"/g, '');
  const names = withoutLabels.match(/\b(?:kiungo|nodejs|process)_[a-z0-9_]+/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|count|sum)$/, '')))];
}

describe('GET /metrics on the metrics port, on a real gateway and PostgreSQL', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let app: TestApp;
  let catalogue: ReturnType<typeof queueCatalogue>;
  let families: PrometheusFamily[];
  let text: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    catalogue = queueCatalogue();
    // A Tuesday at 10:00 in Nairobi: the test centre is open.
    const clock = new SettableClock(inNairobi('2026-11-24', '10:00'));
    app = await startTestApp({ databaseUrl: db.url, catalogueDir: catalogue.dir, endpointOverrides: { nrb: agency.url }, clock });
    const officer = await app.token('officer', { centre: 'NRB-GPO' });
    expect((await submit(app, officer, nrbEnvelope())).status).toBe(200);
    agency.setMode('down');
    // Down until the breaker opens (nrb's volumeThreshold is 10): the transactions wait in retrying.
    for (let i = 0; i < 10; i += 1) expect((await submit(app, officer, nrbEnvelope())).status).toBe(202);
    const centre = centreCode();
    await createCentre(app, centre);
    expect((await takeTicket(app, await app.token('channel', { subject: 'kiosk' }), centre, { service: ID_CARD })).status).toBe(201);
    await eventually(
      () => fetch(app.metricsUrl()).then((r) => r.text()),
      (body) => /kiungo_transactions_open\{[^}]*state="retrying"/.test(body),
    );
    const response = await fetch(app.metricsUrl());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    text = await response.text();
    families = parsePrometheusTextFormat(text);
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
    catalogue?.remove();
  });

  it('parses as Prometheus text and carries every family the operations room reads', () => {
    for (const [name, type] of Object.entries(FAMILIES)) {
      const family = families.find((f) => f.name === name);
      expect({ name, type: family?.type }).toEqual({ name, type });
    }
  });

  it('counts what happened: requests by route pattern, transactions, agency calls, the breaker, the queue and the hall', () => {
    expect(histogramCount(text, 'kiungo_http_request_duration_seconds', { method: 'POST', route: '/v1/transactions', status: '200' })).toBe(1);
    expect(histogramCount(text, 'kiungo_http_request_duration_seconds', { method: 'POST', route: '/v1/transactions', status: '202' })).toBe(10);
    expect(sample(families, 'kiungo_transactions_total', { service: 'id-card-replacement', agency: 'nrb', channel: 'counter', state: 'completed' })).toBe(1);
    expect(sample(families, 'kiungo_transactions_total', { agency: 'nrb', state: 'received' })).toBe(11);
    expect(histogramCount(text, 'kiungo_agency_call_duration_seconds', { agency: 'nrb', operation: 'submit', outcome: 'accepted' })).toBe(1);
    expect(histogramCount(text, 'kiungo_agency_call_duration_seconds', { agency: 'nrb', operation: 'submit', outcome: 'unavailable' })).toBeGreaterThanOrEqual(1);
    expect(sample(families, 'kiungo_agency_breaker_state', { agency: 'nrb' })).toBe(2);
    expect(sample(families, 'kiungo_agency_breaker_transitions_total', { agency: 'nrb', state: 'open' })).toBe(1);
    expect(sample(families, 'kiungo_transactions_open', { agency: 'nrb', state: 'retrying' })).toBeGreaterThanOrEqual(1);
    expect(sample(families, 'kiungo_agency_mode', { agency: 'nrb', mode: 'auto' })).toBe(1);
    expect(sample(families, 'kiungo_replay_backlog', { agency: 'nrb' })).toBe(0);
    expect(sample(families, 'kiungo_tickets_waiting', { service: ID_CARD })).toBe(1);
    expect(sample(families, 'kiungo_db_pool_connections', { state: 'max' })).toBe(10);
    // Never a raw path, an ID number or a phone in a label.
    expect(text).not.toContain('12345678');
    expect(text).not.toMatch(/route="\/v1\/transactions\/[0-9a-f-]{36}"/);
  });

  it('is not served on the API port', async () => {
    const response = await fetch(`${app.url}/metrics`);
    expect(response.status).toBe(404);
  });

  it('the Grafana dashboard in deploy/ parses, and every expression in it reads a metric exported here', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
    const expressions = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
    expect(expressions.length).toBeGreaterThan(10);
    const exported = new Set(families.map((f) => f.name));
    const unknown = expressions.flatMap(({ panel, expr }) => {
      const names = metricNamesIn(expr);
      if (names.length === 0) return [`${panel}: no metric in "${expr}"`];
      return names.filter((n) => !exported.has(n)).map((n) => `${panel}: ${n}`);
    });
    expect(unknown).toEqual([]);
  });

  it('a transaction id is not a label: the state counter has one series per (service, agency, channel, state)', async () => {
    const before = families.find((f) => f.name === 'kiungo_transactions_total')?.metrics.length;
    const officer = await app.token('officer', { centre: 'NRB-GPO' });
    expect((await json(await submit(app, officer, nrbEnvelope()))).state).toBe('retrying');
    const after = parsePrometheusTextFormat(await fetch(app.metricsUrl()).then((r) => r.text())).find((f) => f.name === 'kiungo_transactions_total')?.metrics.length;
    expect(after).toBe(before);
  });

  it('a submit its agency’s open breaker refuses at once is still an agency call, outcome breaker_open', async () => {
    const refused = async () => histogramCount(await fetch(app.metricsUrl()).then((r) => r.text()), 'kiungo_agency_call_duration_seconds', { agency: 'nrb', operation: 'submit', outcome: 'breaker_open' }) ?? 0;
    const before = await refused();
    const officer = await app.token('officer', { centre: 'NRB-GPO' });
    for (let i = 0; i < 3; i += 1) {
      const body = await json(await submit(app, officer, nrbEnvelope()));
      expect([body.state, (body.lastError as { code?: string } | undefined)?.code]).toEqual(['retrying', 'breaker_open']);
    }
    expect((await refused()) - before).toBe(3);
  });
});

describe('replay metrics on a real gateway and PostgreSQL', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let app: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    app = await startTestApp({ databaseUrl: db.url, endpointOverrides: { nrb: agency.url } });
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
  });

  const scrape = async () => parsePrometheusTextFormat(await fetch(app.metricsUrl()).then((r) => r.text()));
  const setMode = async (mode: string, reason: string) => {
    const operator = await app.token('operator');
    const response = await fetch(`${app.url}/v1/agencies/nrb/mode`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mode, reason }),
    });
    expect(response.status).toBe(200);
  };

  it('shows the store-and-forward backlog, then counts its replay', async () => {
    await setMode('manual', 'NRB down for the metrics test');
    const officer = await app.token('officer', { centre: 'NRB-GPO' });
    expect((await json(await submit(app, officer, nrbEnvelope()))).state).toBe('manual');
    await eventually(scrape, (families) => sample(families, 'kiungo_replay_backlog', { agency: 'nrb' }) === 1);

    await setMode('auto', 'NRB back');
    // The backlog is read at most every 5 s (database-gauges.ts): wait for the scrape after the replay.
    const after = await eventually(scrape, (families) => sample(families, 'kiungo_replay_backlog', { agency: 'nrb' }) === 0, 15_000, 200);
    expect(sample(after, 'kiungo_replays_total', { agency: 'nrb', state: 'completed' })).toBe(1);
  });
});
