/**
 * Measures the file-drop round trip (submit → answer file → completed) through the real gateway
 * at the demo DCI agency's settings (poll every 1000 ms, settle 1000 ms), against the simulator
 * answering at once:
 *   KIUNGO_TEST_DATABASE_URL=postgres://… node scripts/run-ts.cjs bench/tools/file-drop-round-trip.ts [--runs 5]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '../../test/factories/database';
import { startTestApp } from '../../test/factories/app';
import { startFileDropAgency } from '../../test/simulators/file-drop-agency/file-drop-agency.simulator';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
  const runs = Number(values.runs);
  const root = mkdtempSync(path.join(tmpdir(), 'kiungo-fd-measure-'));
  const db = await createTestDatabase();
  const agency = await startFileDropAgency({ outbox: path.join(root, 'outbox'), inbox: path.join(root, 'inbox'), referencePrefix: 'DCI' });
  const app = await startTestApp({
    databaseUrl: db.url,
    catalogueDir: path.resolve(__dirname, '..', '..', '..', 'contracts', 'catalogue'),
    endpointOverrides: { dci: root },
  });
  const token = await app.token('officer', { centre: 'NRB-GPO' });
  const timings: number[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      const started = performance.now();
      const response = await fetch(`${app.url}/v1/transactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
        body: JSON.stringify({
          service: 'good-conduct-certificate',
          channel: 'counter',
          centre: 'NRB-GPO',
          citizen: { idNumber: '23456789' },
          payload: {
            idNumber: '23456789',
            fullName: 'Achieng Otieno',
            dateOfBirth: '1994-09-30',
            purpose: 'employment',
            fingerprintFormNumber: 'C24-0012345',
            collectionCentre: 'NRB-GPO',
          },
        }),
      });
      const { id } = (await response.json()) as { id: string };
      for (;;) {
        const tx = (await fetch(`${app.url}/v1/transactions/${id}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())) as { state: string };
        if (tx.state === 'completed') break;
        if (performance.now() - started > 30_000) throw new Error(`transaction ${id} still ${tx.state} after 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      timings.push(performance.now() - started);
    }
  } finally {
    await app.close();
    await agency.close();
    await db.close();
    rmSync(root, { recursive: true, force: true });
  }
  const sorted = [...timings].sort((a, b) => a - b);
  const ms = (n: number): string => `${Math.round(n)} ms`;
  console.log(`file-drop round trip at pollIntervalMs 1000 / settleMs 1000 (${runs} runs): min ${ms(sorted[0])}, median ${ms(sorted[Math.floor(runs / 2)])}, max ${ms(sorted[runs - 1])}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
