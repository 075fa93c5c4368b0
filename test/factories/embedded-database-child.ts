/**
 * A process that holds the embedded database in <dataDir> and then waits to be killed:
 * `node scripts/run-ts.cjs test/factories/embedded-database-child.ts <dataDir> <rows>`.
 * It commits <rows> rows into `crash_probe`, leaves one more row in an open transaction, and
 * prints `COMMITTED <n> PID <pid>`. Used to check what survives a SIGKILL.
 */
import { Client } from 'pg';
import { startEmbeddedDatabase } from '../../gateway/src/embedded/pglite-server';

async function main(): Promise<void> {
  const [dataDir, rows = '100'] = process.argv.slice(2);
  if (!dataDir) throw new Error('usage: embedded-database-child.ts <dataDir> [rows]');
  const db = await startEmbeddedDatabase({ dataDir });
  const client = new Client({ connectionString: db.url });
  await client.connect();
  await client.query('CREATE TABLE IF NOT EXISTS crash_probe (id serial PRIMARY KEY, note text NOT NULL)');
  const inserted = await client.query(
    `INSERT INTO crash_probe (note) SELECT 'committed-' || g FROM generate_series(1, $1::int) AS g`,
    [Number(rows)],
  );
  await client.query('BEGIN');
  await client.query(`INSERT INTO crash_probe (note) VALUES ('never-committed')`);
  console.log(`COMMITTED ${inserted.rowCount} PID ${process.pid}`);
  setInterval(() => undefined, 60_000); // hold everything open until killed
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
