/**
 * `adapter-file-drop`: two figures for the file-drop kind.
 * 1. What the adapter adds to handing a request over: (a) a bare durable atomic write of the same
 *    JSON document (open, write, fsync, rename, fsync the folder — what any careful writer does),
 *    (b) ResilientAgency.dispatch → FileDropAdapter (encoding, breaker, bulkhead, deadline, the
 *    same write), in-process, into a temp outbox nobody reads.
 * 2. The round trip at the demo DCI agency's default poll interval: through the production-mode
 *    gateway (whose DCI folders point at the bench's temp spool), submit a good-conduct certificate,
 *    the file-drop simulator (in this process, polling every 100 ms, answering at once) answers,
 *    and GET /v1/transactions/{id} is polled every 20 ms until `completed`. Sequential runs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadCatalogue } from '../../contracts/src/catalogue.loader';
import { ResilientAgency } from '../../adapters/resilience/resilient-agency';
import { createFileDropAdapter } from '../../adapters/file-drop/file-drop.adapter';
import { startFileDropAgency } from '../../test/simulators/file-drop-agency/file-drop-agency.simulator';
import { compareBareWithAdapter, unthrottled } from '../lib/adapter-compare';
import { DEMO_CATALOGUE_DIR } from '../lib/catalogue';
import { requestJson } from '../lib/http';
import { describeLatencies, summarizeLatencies } from '../lib/latency';
import { sleep } from '../lib/processes';
import type { Scenario } from '../lib/scenario';
import { gatewayStack, type GatewayStack } from '../lib/stack';

const CONCURRENCY = 8;
const ROUND_TRIP_TIMEOUT_MS = 30_000;

const PAYLOAD = {
  idNumber: '23456789',
  fullName: 'Achieng Otieno',
  dateOfBirth: '1994-09-30',
  purpose: 'employment',
  fingerprintFormNumber: 'C24-0012345',
  collectionCentre: 'NRB-GPO',
};

export const adapterFileDrop: Scenario = {
  name: 'adapter-file-drop',
  summary: `file-drop: bare durable write vs ResilientAgency + FileDropAdapter (${CONCURRENCY} concurrent); gateway round trip at the default poll interval`,
  async run(ctx) {
    const dci = loadCatalogue(DEMO_CATALOGUE_DIR).agency('dci');
    if (!dci) throw new Error('the demo catalogue has no dci agency');
    const root = mkdtempSync(path.join(tmpdir(), 'kiungo-bench-filedrop-'));
    const outbox = path.join(root, 'outbox');
    await fs.mkdir(outbox, { recursive: true });
    const agency = new ResilientAgency(unthrottled(dci, CONCURRENCY), createFileDropAdapter(dci, { env: {}, endpointOverride: root }));
    try {
      const comparison = await compareBareWithAdapter(ctx, {
        scenario: 'adapter-file-drop',
        concurrency: CONCURRENCY,
        bareLabel: 'bare durable atomic write',
        bare: async (n, round) => {
          const id = `bench-bare-${round}-${n}`;
          await durableWrite(outbox, `${id}.json`, JSON.stringify({ transactionId: id, service: 'good-conduct-certificate', attempt: 1, writtenAt: new Date().toISOString(), payload: PAYLOAD }));
          return true;
        },
        viaAdapter: async (n, round) => {
          const outcome = await agency.dispatch({ transactionId: `bench-adapter-${round}-${n}`, serviceCode: 'good-conduct-certificate', payload: PAYLOAD, attempt: 1 }, { inline: false });
          return outcome.kind === 'pending';
        },
      });
      const { bare, adapter } = comparison;
      const stack = await gatewayStack(ctx);
      const runs = ctx.settings.quick ? 3 : 8;
      const roundTrips = await measureRoundTrips(stack, runs);
      const pollIntervalMs = Number(dci.adapter.pollIntervalMs ?? NaN);
      const settleMs = Number(dci.adapter.settleMs ?? NaN);
      return {
        target: `ResilientAgency.dispatch → FileDropAdapter → local outbox (${dci.code}, ${String(dci.adapter.format)})`,
        load: adapter,
        cpu: comparison.cpu,
        figures: [
          ...comparison.figures,
          {
            label: `gateway round trip submit → completed at pollIntervalMs ${pollIntervalMs} / settleMs ${settleMs}`,
            value: describeLatencies(summarizeLatencies(roundTrips.timings)),
          },
        ],
        checks: [
          { label: 'every bare write done', ok: bare.non2xx === 0 && bare.errors === 0, detail: JSON.stringify(bare.statusCodes) },
          { label: 'every dispatch handed over (pending an answer file)', ok: adapter.non2xx === 0 && adapter.errors === 0, detail: JSON.stringify(adapter.statusCodes) },
          {
            label: 'every round-trip transaction completed, the agency taking each request file once',
            ok: roundTrips.completed === runs && roundTrips.requestFiles === runs,
            detail: `${roundTrips.completed} of ${runs} completed; ${roundTrips.requestFiles} request files taken`,
          },
        ],
        notes: [
          'The write figures are in-process (the bench process is the writer); the round trip is the real api + worker in production mode.',
          'Round trip ≈ waiting for the next inbox poll + settleMs (the answer file must keep its size that long) + the agency simulator polling its outbox every 100 ms.',
        ],
      };
    } finally {
      await agency.close();
      rmSync(root, { recursive: true, force: true });
    }
  },
};

async function durableWrite(folder: string, name: string, content: string): Promise<void> {
  const temp = path.join(folder, `.bare-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx', 0o640);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, path.join(folder, name));
  const dir = await fs.open(folder, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

async function measureRoundTrips(stack: GatewayStack, runs: number): Promise<{ timings: number[]; completed: number; requestFiles: number }> {
  const simulator = await startFileDropAgency({ outbox: stack.catalogue.dciOutbox, inbox: stack.catalogue.dciInbox, referencePrefix: 'DCI' });
  const headers = { authorization: `Bearer ${stack.channelToken}` };
  const timings: number[] = [];
  let completed = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const { status, body } = await requestJson<{ id: string }>(`${stack.api.url}/v1/transactions`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': `bench-file-drop-${Date.now()}-${i}` },
        body: { service: 'good-conduct-certificate', channel: 'counter', centre: 'NRB-GPO', citizen: { idNumber: PAYLOAD.idNumber }, payload: PAYLOAD },
      });
      if (status !== 202 && status !== 200) throw new Error(`POST /v1/transactions (good-conduct-certificate) answered ${status}: ${JSON.stringify(body)}`);
      for (;;) {
        const { body: tx } = await requestJson<{ state: string }>(`${stack.api.url}/v1/transactions/${body.id}`, { headers });
        if (tx.state === 'completed') {
          completed++;
          break;
        }
        if (performance.now() - started > ROUND_TRIP_TIMEOUT_MS) throw new Error(`transaction ${body.id} still ${tx.state} after ${ROUND_TRIP_TIMEOUT_MS} ms`);
        await sleep(20);
      }
      timings.push(performance.now() - started);
    }
    return { timings, completed, requestFiles: simulator.stats().requests };
  } finally {
    await simulator.close();
  }
}
