import { stringify } from 'csv-stringify/sync';
import { text } from 'node:stream/consumers';
import { publicEvent, type NewAuditEvent } from '../../core/audit/audit-event';
import { AuditLog } from '../../core/audit/audit-log';
import { PgAuditQueries } from '../../core/audit/pg/audit-queries.pg';
import { ReadAudit } from '../../core/audit/use-cases/read-audit';
import { PersonalDataVault } from '../../core/shared/personal-data';
import { EVENT_COLUMNS, EVENT_LINES, exportStream } from '../../gateway/src/audit/audit-export';
import { createTestDatabase, type TestDatabase } from '../factories/database';

/**
 * The events export reads the columns as PostgreSQL's text and writes them out without parsing
 * them: its CSV and JSON Lines must stay byte for byte what writing the parsed events gives
 * (csv-stringify's default CSV and JSON.stringify of the API's event), over several pages, for data
 * that jsonb prints otherwise than JavaScript (numbers, key order, escapes). Verify, which reads the
 * same text, must find the chain whole.
 */
describe('audit events export and verify over the text PostgreSQL sends', () => {
  let db: TestDatabase;
  let audit: AuditLog;
  const AUDITOR = { subject: 'auditor', roles: ['auditor'] };

  const odd: Array<Record<string, unknown>> = [
    { service: 'id-card-replacement', agency: 'nrb', channel: 'counter', centre: 'NRB-GPO' },
    { attempt: 1, agencyRef: 'NRB-1' },
    { amount: 1.5, big: 1e21, small: 1e-7, negative: -0.25, third: 1 / 3, huge: Number('12345678901234567890') },
    JSON.parse('{"10": "ten", "9": "nine", "b": [true, false, null], "a": {"z": {}, "y": []}, "__proto__": {"x": 1}}') as Record<string, unknown>,
    { text: 'comma, "quote", new\nline\r\ttab \u0001\u001f \u007f \u2028 é € 😀 \\ back/slash' },
    { 'key with "quotes"': 'v', 'é': 1, Z: 2, _: 3, 'a,b': 'c' },
    {},
  ];

  beforeAll(async () => {
    db = await createTestDatabase();
    audit = await AuditLog.open(db.pool);
    // More than one export page (1,000 rows), each with a time that has milliseconds; one statement per entity.
    const byEntity = new Map<string, NewAuditEvent[]>();
    for (let i = 0; i < 1_050; i++) {
      const entityId = `entity-${i % 97}`;
      const events = byEntity.get(entityId) ?? byEntity.set(entityId, []).get(entityId)!;
      events.push({
        entityType: 'transaction',
        entityId,
        type: i % 2 ? 'completed' : 'received',
        actor: i % 5 ? `officer-${i % 7}` : 'system:"quoted", actor',
        data: odd[i % odd.length],
        occurredAt: new Date(Date.UTC(2026, 10, 22, 8, 0, 0, 0) + i * 1_001 + (i % 3)),
      });
    }
    await Promise.all(
      [...byEntity.values()].map((events) => {
        const chain = audit.chainCtes(events, 1, 'anchor');
        return db.pool.query(`WITH anchor AS (SELECT 1), ${chain.ctes} SELECT 1`, chain.params);
      }),
    );
  });

  afterAll(async () => {
    await db?.close();
  });

  it('writes CSV and JSON Lines byte for byte as writing the parsed events does', async () => {
    const queries = new PgAuditQueries(db.pool);
    const read = new ReadAudit(queries, audit, db.pool, new PersonalDataVault(Buffer.alloc(32, 7)));
    const filter = { entityType: 'transaction' };
    const events = (await queries.events(filter, undefined, 10_000)).map(publicEvent);
    expect(events).toHaveLength(1_050);

    const csv = await text(exportStream(read.exportEvents(AUDITOR, filter), EVENT_LINES, 'csv'));
    expect(csv).toBe(stringify(events, { header: true, columns: [...EVENT_COLUMNS] }));
    const jsonl = await text(exportStream(read.exportEvents(AUDITOR, filter), EVENT_LINES, 'jsonl'));
    expect(jsonl).toBe(events.map((event) => `${JSON.stringify(event)}\n`).join(''));
  });

  it('verifies the chains of those events whole', async () => {
    const report = await audit.verify(db.pool);
    expect(report).toMatchObject({ ok: true, breaks: [], eventsChecked: 1_050 });
  });
});
