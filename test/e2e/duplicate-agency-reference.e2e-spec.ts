import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { startTestApp, type TestApp } from '../factories/app';
import { getTransaction, json, nrbEnvelope, submit } from './transactions.helpers';

/**
 * Reconciliation (issue 4 item 5, second half): an agency that gives two of our transactions the
 * same reference (one application at the agency for two of ours) must not leave two silently
 * `completed` transactions: the later one is flagged `conflict` for a manager, naming the other.
 */
describe('an agency reference given to two transactions', () => {
  let db: TestDatabase;
  let agency: RestAgencySimulator;
  let app: TestApp;
  let officer: string;
  let manager: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    agency = await startRestAgency({ referencePrefix: 'NRB', fixedReference: 'NRB-SAME-1' });
    app = await startTestApp({ databaseUrl: db.url, endpointOverrides: { nrb: agency.url } });
    officer = await app.token('officer', { centre: 'NRB-GPO' });
    manager = await app.token('manager', { subject: 'manager-achieng' });
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await db?.close();
  });

  it('keeps the first completed, flags the second conflict naming the first, lists and resolves it', async () => {
    const first = await json(await submit(app, officer, nrbEnvelope({ idNumber: '11111111' })));
    expect(first).toMatchObject({ state: 'completed', agencyReference: 'NRB-SAME-1' });

    const second = await json(await submit(app, officer, nrbEnvelope({ idNumber: '22222222' })));
    expect(second.id).not.toBe(first.id);
    expect(second.state).toBe('conflict');
    expect(agency.stats().accepted).toBe(2);

    const stored = await getTransaction(app, officer, second.id);
    expect(stored.state).toBe('conflict');
    expect(stored.lastError).toMatchObject({ code: 'duplicate-agency-reference' });
    expect(stored.lastError.reason).toContain(first.id);
    expect(stored.history.map((e: { type: string }) => e.type)).toEqual(['received', 'completed', 'conflict']);
    expect((await getTransaction(app, officer, first.id)).state).toBe('completed');

    const open = await json(await fetch(`${app.url}/v1/reconciliation`, { headers: { authorization: `Bearer ${manager}` } }));
    expect(open.items.map((i: { id: string }) => i.id)).toEqual([second.id]);
    expect(open.items[0].conflict).toMatchObject({
      agency: { agencyRef: 'NRB-SAME-1', outcome: 'completed' },
      duplicateOf: { transactionId: first.id, agencyRef: 'NRB-SAME-1' },
    });
    expect(open.items[0].conflict.duplicateOf.reason).toContain(first.id);

    const conflictEvents = await db.pool.query<{ actor: string; data: Record<string, unknown> }>(
      `SELECT actor, data FROM audit_events WHERE entity_id = $1 AND type = 'conflict'`,
      [second.id],
    );
    expect(conflictEvents.rows).toEqual([{ actor: 'system:reconciliation', data: expect.objectContaining({ duplicateOf: first.id }) }]);

    const resolve = (decision: string): Promise<Response> =>
      fetch(`${app.url}/v1/reconciliation/${second.id}/resolve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${manager}` },
        body: JSON.stringify({ decision, note: 'agency merged the two applications' }),
      });
    // No paper outcome to keep: only the agency's side can stand.
    expect((await resolve('keep-manual')).status).toBe(422);
    const resolved = await resolve('keep-agency');
    expect(resolved.status).toBe(200);
    expect(await json(resolved)).toMatchObject({ state: 'completed', agencyReference: 'NRB-SAME-1' });
    const after = await json(await fetch(`${app.url}/v1/reconciliation`, { headers: { authorization: `Bearer ${manager}` } }));
    expect(after.items).toEqual([]);
  });

  it('never flags a lookup: asking the same question twice gets the same reference (issue 10)', async () => {
    // id-card-status-check is declared `"createsApplication": false` in the test catalogue.
    const lookup = { ...nrbEnvelope({ idNumber: '55555555' }), service: 'id-card-status-check' };
    const first = await json(await submit(app, officer, lookup));
    const again = await json(await submit(app, officer, lookup));
    expect([first.state, again.state]).toEqual(['completed', 'completed']);
    expect([first.agencyReference, again.agencyReference]).toEqual(['NRB-SAME-1', 'NRB-SAME-1']);
    const flagged = await db.pool.query(`SELECT 1 FROM audit_events WHERE entity_id = ANY($1::text[]) AND type = 'conflict'`, [[first.id, again.id]]);
    expect(flagged.rows).toEqual([]);
    const open = await json(await fetch(`${app.url}/v1/reconciliation`, { headers: { authorization: `Bearer ${manager}` } }));
    expect(open.items).toEqual([]);
  });

  it('leaves transactions with distinct references alone', async () => {
    const other = await startRestAgency({ referencePrefix: 'NRB' });
    const plain = await startTestApp({ databaseUrl: db.url, endpointOverrides: { nrb: other.url } });
    try {
      const token = await plain.token('officer', { centre: 'NRB-GPO' });
      const a = await json(await submit(plain, token, nrbEnvelope({ idNumber: '33333333' })));
      const b = await json(await submit(plain, token, nrbEnvelope({ idNumber: '44444444' })));
      expect([a.state, b.state]).toEqual(['completed', 'completed']);
      expect(a.agencyReference).not.toBe(b.agencyReference);
    } finally {
      await plain.close();
      await other.close();
    }
  });
});
