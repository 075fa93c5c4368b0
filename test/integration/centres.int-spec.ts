import * as path from 'node:path';
import { loadCatalogue } from '../../contracts/src/catalogue.loader';
import { AuditLog } from '../../core/audit/audit-log';
import { migrate } from '../../core/db/migrate';
import { demoCentres } from '../../core/centres/demo-centres';
import { PgCentreRepository } from '../../core/centres/pg/centre.pg-repository';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { describeWithPostgres } from '../factories/services';

const CATALOGUE = path.resolve(__dirname, '..', '..', 'contracts', 'catalogue');

describeWithPostgres('centres on PostgreSQL', () => {
  let db: TestDatabase;
  let centres: PgCentreRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    centres = new PgCentreRepository(db.pool, await AuditLog.open(db.pool));
  });

  afterAll(async () => {
    await db?.close();
  });

  it('seeds the demo centres from the catalogue once, and never over an admin change', async () => {
    const catalogue = loadCatalogue(CATALOGUE);
    const definitions = demoCentres(catalogue);
    const first = await centres.seedMissing(definitions, 'system:seed', new Date());
    expect(first).toEqual(expect.arrayContaining(['NRB-GPO', 'MSA-CBD', 'KSM-CBD', 'NKU-CBD', 'ELD-CBD']));

    const gpo = await centres.findByCode('NRB-GPO');
    expect(gpo?.timeZone).toBe('Africa/Nairobi');
    expect(gpo?.services.find((s) => s.serviceCode === 'id-card-replacement')?.slotCapacity).toBeGreaterThan(0);
    expect(gpo?.services.find((s) => s.serviceCode === 'business-name-search')?.slotCapacity).toBe(0);
    expect(gpo?.counters.length).toBeGreaterThan(0);
    expect(new Set(gpo?.services.map((s) => s.ticketLetter)).size).toBe(gpo?.services.length);

    await centres.setSlotCapacity('NRB-GPO', 'id-card-replacement', 3, new Date(), {
      entityType: 'centre', entityId: 'NRB-GPO', type: 'capacity_set', actor: 'admin-1', data: {}, occurredAt: new Date(),
    });
    expect(await centres.seedMissing(definitions, 'system:seed', new Date())).toEqual([]);
    expect((await centres.findByCode('NRB-GPO'))?.services.find((s) => s.serviceCode === 'id-card-replacement')?.slotCapacity).toBe(3);
    const { rows } = await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM audit_events WHERE entity_type = 'centre' AND type = 'seeded'");
    expect(Number(rows[0].n)).toBe(first.length);
  });

  it('refuses duplicate ticket letters and leaves nothing half-written', async () => {
    const before = await centres.findByCode('ELD-CBD');
    const broken = demoCentres(loadCatalogue(CATALOGUE)).find((c) => c.code === 'ELD-CBD');
    if (!before || !broken) throw new Error('seed missing');
    const duplicateLetters = { ...broken, name: 'Renamed', services: broken.services?.map((s) => ({ ...s, ticketLetter: 'A' })) };
    await expect(
      centres.save(duplicateLetters, { entityType: 'centre', entityId: 'ELD-CBD', type: 'configured', actor: 'admin-1', data: {}, occurredAt: new Date() }),
    ).rejects.toMatchObject({ category: 'invalid' });
    expect(await centres.findByCode('ELD-CBD')).toEqual(before);
  });

  it('reads a centre through one named prepared statement that sees every later change', async () => {
    // One connection: its prepared statements are the ones pg_prepared_statements lists.
    const one = await createTestDatabase({ poolMax: 1 });
    try {
      const prepared = new PgCentreRepository(one.pool, await AuditLog.open(one.pool), true);
      const [definition] = demoCentres(loadCatalogue(CATALOGUE));
      const event = { entityType: 'centre', entityId: definition.code, type: 'centre_saved', actor: 'admin-1', data: {}, occurredAt: new Date() };
      await prepared.save(definition, event);
      const before = await prepared.findByCode(definition.code);
      await prepared.save({ ...definition, name: 'Renamed', holidays: [{ date: '2030-01-01', name: "New Year's Day" }] }, event);
      const after = await prepared.findByCode(definition.code);

      expect(before?.name).toBe(definition.name);
      expect(after).toMatchObject({ name: 'Renamed', holidays: [{ date: '2030-01-01', name: "New Year's Day" }] });
      expect(await prepared.findByCode('XXX-NONE')).toBeNull();
      const { rows } = await one.pool.query<{ name: string }>(`SELECT name FROM pg_prepared_statements WHERE statement LIKE '%FROM centres c WHERE c.code = $1%'`);
      expect(rows).toHaveLength(1);
    } finally {
      await one.close();
    }
  });

  it('migrates centres, bookings and notifications down and up again', async () => {
    const fresh = await createTestDatabase({ migrations: false });
    try {
      await migrate(fresh.pool);
      const applied = await fresh.pool.query<{ version: number }>('SELECT version FROM kiungo_migrations WHERE version >= 10');
      await fresh.pool.query(`INSERT INTO centres (code, name, county) VALUES ('TST-MIG', 'Test', 'Nairobi')`);
      const reverted = await migrate(fresh.pool, { direction: 'down', steps: applied.rowCount ?? 0 });
      expect(reverted.map((r) => r.version)).toEqual(expect.arrayContaining([10, 11, 12]));
      const { rows } = await fresh.pool.query<{ t: string | null }>(
        "SELECT to_regclass('centres')::text AS t UNION ALL SELECT to_regclass('bookings')::text UNION ALL SELECT to_regclass('notifications')::text",
      );
      expect(rows.map((r) => r.t)).toEqual([null, null, null]);
      const again = await migrate(fresh.pool);
      expect(again.map((r) => r.version)).toEqual(expect.arrayContaining([10, 11, 12]));
    } finally {
      await fresh.close();
    }
  });
});
