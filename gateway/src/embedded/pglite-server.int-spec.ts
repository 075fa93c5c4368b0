/**
 * What the embedded database does for `pg` clients, pinned down: how PGlite's socket multiplexer
 * treats several connections (the module comment of pglite-server.ts relies on these facts),
 * the PostgreSQL features the core uses, and durability across restarts and a SIGKILL.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client, type Notification } from 'pg';
import { createTestDatabase, pgliteSnapshot, type TestDatabase } from '../../../test/factories/database';
import { RawPgConnection } from '../../../test/factories/raw-pg-connection';
import { startEmbeddedDatabase } from './pglite-server';

describe('embedded database: several connections through the multiplexer', () => {
  let db: TestDatabase;
  let a: Client;
  let b: Client;

  beforeAll(async () => {
    db = await createTestDatabase({ kind: 'pglite', migrations: false });
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    a = new Client({ connectionString: db.url });
    b = new Client({ connectionString: db.url });
    await Promise.all([a.connect(), b.connect()]);
    await a.query('DROP TABLE IF EXISTS probe; CREATE TABLE probe (id int PRIMARY KEY, who text NOT NULL)');
  });
  afterEach(async () => {
    await Promise.all([a.end(), b.end()]);
  });

  it('runs whole transactions one after another: B waits for A, and A’s rollback keeps B’s work', async () => {
    const events: string[] = [];
    await a.query('BEGIN');
    await a.query(`INSERT INTO probe VALUES (1, 'a')`);

    const bWork = (async () => {
      await b.query('BEGIN');
      events.push('B began');
      const seen = await b.query('SELECT id FROM probe ORDER BY id');
      events.push(`B sees ${JSON.stringify(seen.rows)}`);
      await b.query(`INSERT INTO probe VALUES (2, 'b')`);
      await b.query('COMMIT');
    })();
    // A keeps working while B waits: these queries queue behind B's BEGIN unless B is held back.
    await a.query(`INSERT INTO probe VALUES (3, 'a')`);
    events.push(`A sees ${JSON.stringify((await a.query('SELECT id FROM probe ORDER BY id')).rows)}`);
    await a.query('ROLLBACK');
    events.push('A rolled back');
    await bWork;

    expect(events).toEqual(['A sees [{"id":1},{"id":3}]', 'A rolled back', 'B began', 'B sees []']);
    expect((await a.query('SELECT id, who FROM probe ORDER BY id')).rows).toEqual([{ id: 2, who: 'b' }]);
  });

  it('keeps a Parse…Sync batch together when another connection queries in the middle of it', async () => {
    const raw = await RawPgConnection.open(db.url);
    try {
      const batch = RawPgConnection.extendedQuery("SELECT 'statement-of-A' AS who, $1::text AS p", ['A-param']);
      const parseLength = 1 + batch.readInt32BE(1);
      raw.send(batch.subarray(0, parseLength + 3)); // the Parse and three bytes of the Bind
      await raw.waitFor('1'); // ParseComplete: A's statement is now the unnamed one
      const bQuery = b.query("SELECT 'statement-of-B' AS who, $1::int AS n", [7]);
      // Give B's Parse time to reach the server; without the guard it would replace A's statement here.
      await new Promise((resolve) => setTimeout(resolve, 200));
      raw.send(batch.subarray(parseLength + 3));
      const reply = await raw.waitFor('Z');

      expect(RawPgConnection.errors(reply)).toEqual([]);
      expect(RawPgConnection.firstRow(reply)).toEqual(['statement-of-A', 'A-param']);
      expect((await bQuery).rows).toEqual([{ who: 'statement-of-B', n: 7 }]);
    } finally {
      raw.close();
    }
  });

  it('shares one session between connections: advisory locks, prepared statement names, notifications', async () => {
    await a.query('SELECT pg_advisory_lock(4242)');
    const other = await b.query<{ got: boolean }>('SELECT pg_try_advisory_lock(4242) AS got');
    expect(other.rows[0].got).toBe(true); // no mutual exclusion between connections
    await a.query('SELECT pg_advisory_unlock_all()');

    await a.query({ name: 'shared-name', text: 'SELECT 1' });
    await expect(b.query({ name: 'shared-name', text: 'SELECT 1' })).rejects.toMatchObject({ code: '42P05' });
    await a.query('DEALLOCATE "shared-name"');

    const received: string[] = [];
    const record = (who: string) => (n: Notification) => received.push(`${who}:${n.payload}`);
    a.on('notification', record('a'));
    b.on('notification', record('b'));
    await a.query('LISTEN kiungo_probe');
    await b.query(`NOTIFY kiungo_probe, 'hello'`);
    await a.query('SELECT 1');
    expect(received).toEqual(['b:hello']); // the notifier gets it, the listener never does
    await a.query('UNLISTEN *');
  });

  it('supports the PostgreSQL features the core relies on', async () => {
    const digest = await a.query(`SELECT encode(sha256('abc'::bytea), 'hex') AS hex`);
    expect(digest.rows[0].hex).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const uuid = await a.query('SELECT gen_random_uuid()::text AS id');
    expect(uuid.rows[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const json = await a.query(`SELECT ($1::jsonb -> 'services') ->> 1 AS second, $1::jsonb ? 'centre' AS has`, [
      JSON.stringify({ centre: 'NBI-GPO', services: ['passport', 'id'] }),
    ]);
    expect(json.rows[0]).toEqual({ second: 'id', has: true });

    await a.query(`INSERT INTO probe SELECT g, 'job' FROM generate_series(1, 3) AS g`);
    await a.query('BEGIN');
    const locked = await a.query('SELECT id FROM probe ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED');
    expect(locked.rows).toEqual([{ id: 1 }, { id: 2 }]);
    await a.query('COMMIT');

    await a.query('SELECT pg_advisory_lock(7)');
    expect((await a.query('SELECT pg_advisory_unlock(7) AS released')).rows[0].released).toBe(true);

    // Accepted but not enforced: embedded mode has no statement timeouts.
    await a.query(`SET statement_timeout = '20ms'`);
    await expect(a.query('SELECT pg_sleep(0.1)')).resolves.toBeDefined();
    await a.query('RESET statement_timeout');
  });
});

describe('embedded database: data on disk', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'kiungo-embedded-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps committed data across a restart and refuses a second opener meanwhile', async () => {
    // Seeded rather than initdb'd (~3 s saved); `npm run migrate` exercises initdb on disk.
    const first = await startEmbeddedDatabase({ dataDir, seed: await pgliteSnapshot('empty') });
    try {
      await withClient(first.url, async (client) => {
        await client.query('CREATE TABLE centres (code text PRIMARY KEY, county text NOT NULL)');
        await client.query(`INSERT INTO centres VALUES ('NBI-GPO', 'Nairobi'), ('MSA', 'Mombasa')`);
      });
      await expect(startEmbeddedDatabase({ dataDir })).rejects.toThrow(`already open in process ${process.pid}`);
    } finally {
      await first.close();
    }

    const second = await startEmbeddedDatabase({ dataDir });
    try {
      const rows = await withClient(second.url, (client) => client.query('SELECT code, county FROM centres ORDER BY code'));
      expect(rows.rows).toEqual([
        { code: 'MSA', county: 'Mombasa' },
        { code: 'NBI-GPO', county: 'Nairobi' },
      ]);
    } finally {
      await second.close();
    }
  });

  it('loses no committed row when its process is killed with SIGKILL', async () => {
    const repoRoot = path.resolve(__dirname, '..', '..', '..');
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'scripts', 'run-ts.cjs'), path.join(repoRoot, 'test', 'factories', 'embedded-database-child.ts'), dataDir, '500'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const line = await firstLine(child.stdout, /^COMMITTED (\d+) PID (\d+)$/m);
      expect(line[1]).toBe('500');
      await expect(startEmbeddedDatabase({ dataDir })).rejects.toThrow(`already open in process ${line[2]}`);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }

    const reopened = await startEmbeddedDatabase({ dataDir }); // takes over the dead process's lock
    try {
      const counts = await withClient(reopened.url, (client) =>
        client.query(`SELECT count(*)::int AS committed, count(*) FILTER (WHERE note = 'never-committed')::int AS open
                      FROM crash_probe`),
      );
      expect(counts.rows[0]).toEqual({ committed: 500, open: 0 });
    } finally {
      await reopened.close();
    }
  });
});

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function firstLine(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    stream.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) resolve(match);
    });
    stream.on('end', () => reject(new Error(`child ended without ${pattern}: ${seen}`)));
  });
}
