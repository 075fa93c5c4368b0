/**
 * withTransaction and the pool on real engines. Commit / rollback / release run on PGlite and
 * PostgreSQL; the retry and the idle-connection tests need a real PostgreSQL, because PGlite
 * runs transactions one at a time (no serialization failure can happen) and has no backends
 * to terminate.
 */
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../../test/factories/database';
import { describeWithPostgres } from '../../test/factories/services';
import { createPool, isPgError, MAX_STATEMENT_NAMES, PG_ERROR, pgErrorCode, statement, statementNamesKept, textArrayParam, timestamptzParam, withTransaction } from './pool';

describe('withTransaction on PGlite', () => transactionSuite('pglite'));
describeWithPostgres('withTransaction on PostgreSQL', () => {
  transactionSuite('postgres');
  retrySuite();
  connectionLossSuite();
  lifetimeSuite();
  statementNamesSuite();
});

/** statement(): prepared names for more texts than it keeps, on one connection that prepared them all. */
function statementNamesSuite(): void {
  it('reads a time sent as its ISO text and a frozen list sent as its text as it reads the Date and the list', async () => {
    const db = await createTestDatabase({ kind: 'postgres', migrations: false, poolMax: 1 });
    try {
      const at = new Date('2026-12-07T09:41:02.005Z');
      const states = Object.freeze(['received', 'a "quoted" one', 'back\\slash']);
      const { rows } = await db.pool.query<{ same_time: boolean; same_list: boolean }>(
        'SELECT $1::timestamptz = $2::timestamptz AS same_time, $3::text[] = $4::text[] AS same_list',
        [at, timestamptzParam(at), [...states], textArrayParam(states)],
      );
      expect(rows[0]).toEqual({ same_time: true, same_list: true });
    } finally {
      await db.close();
    }
  });

  it('reads a time before year 1 or after 9999, whose ISO text PostgreSQL refuses, as it reads the Date', async () => {
    const db = await createTestDatabase({ kind: 'postgres', migrations: false, poolMax: 1 });
    try {
      // toISOString writes these years as 0000, -000001 and +010000, which timestamptz input refuses; pg writes them as BC or in five digits.
      for (const text of ['0000-06-01T12:00:00.000Z', '-000001-06-01T00:00:00.000Z', '-004713-11-24T00:00:00.000Z', '+010000-01-01T00:00:00.001Z', '+275760-09-13T00:00:00.000Z']) {
        const at = new Date(text);
        const { rows } = await db.pool.query<{ same: boolean }>('SELECT $1::timestamptz = $2::timestamptz AS same', [at, timestamptzParam(at)]);
        expect([text, rows[0].same]).toEqual([text, true]);
      }
    } finally {
      await db.close();
    }
  });

  it('keeps at most MAX_STATEMENT_NAMES names, and a text whose name was dropped gets it back and runs right', async () => {
    const db = await createTestDatabase({ kind: 'postgres', migrations: false, poolMax: 1 });
    try {
      const text = (i: number) => `SELECT $1::int + ${i} AS n`;
      const names = new Map<number, string>();
      const run = async (i: number, x: number) => {
        const query = statement(text(i), [x], true);
        if (names.has(i)) expect(query.name).toBe(names.get(i));
        names.set(i, query.name as string);
        return (await db.pool.query<{ n: number }>(query)).rows[0].n;
      };
      for (let i = 0; i < MAX_STATEMENT_NAMES + 20; i++) expect(await run(i, 1)).toBe(i + 1);
      expect(statementNamesKept()).toBeLessThanOrEqual(MAX_STATEMENT_NAMES);
      // Every text its own name: no two prepared under one (pg would refuse the second on that connection).
      expect(new Set(names.values()).size).toBe(names.size);
      // The first texts' names were dropped: named again the same, they run where pg prepared them.
      for (let i = 0; i < 20; i++) expect(await run(i, 100)).toBe(i + 100);
      expect(statementNamesKept()).toBeLessThanOrEqual(MAX_STATEMENT_NAMES);
    } finally {
      await db.close();
    }
  });
}

/** DB_CONNECTION_LIFETIME_S: a connection (and the plans its prepared statements keep) is not kept for ever. */
function lifetimeSuite(): void {
  it('replaces a connection that outlived its lifetime, and keeps it without one', async () => {
    const db = await createTestDatabase({ kind: 'postgres', migrations: false, poolMax: 1 });
    const pools = [createPool({ url: db.url, max: 1, applicationName: 'short-lived', maxLifetimeSeconds: 1 }), createPool({ url: db.url, max: 1, applicationName: 'kept' })];
    try {
      const pid = async (pool: (typeof pools)[number]) => (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const before = await Promise.all(pools.map(pid));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const after = await Promise.all(pools.map(pid));
      expect(after[0]).not.toBe(before[0]);
      expect(after[1]).toBe(before[1]);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await db.close();
    }
  });
}

/** PostgreSQL restarted under a transaction (found by `npm run chaos`: the api process died). */
function connectionLossSuite(): void {
  it('fails the transaction, not the process, when its connection is killed mid-way', async () => {
    const db = await createTestDatabase({ kind: 'postgres', migrations: false, poolMax: 2 });
    const admin = createPool({ url: db.url, max: 1, applicationName: 'terminator' });
    try {
      const failure = withTransaction(
        db.pool,
        async (client) => {
          const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
          // The server's goodbye arrives as an 'error' event on the checked-out client.
          await new Promise((resolve) => setTimeout(resolve, 200));
          await client.query('SELECT 1');
        },
        { retries: 0 },
      );
      await expect(failure).rejects.toThrow();
      // The dead connection was not put back: the pool still answers.
      expect((await db.pool.query<{ one: number }>('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      await admin.end();
      await db.close();
    }
  });
}

function transactionSuite(kind: TestDatabaseKind): void {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ kind, migrations: false, poolMax: 1 });
    await db.pool.query('CREATE TABLE tickets (number text PRIMARY KEY, centre text NOT NULL)');
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.pool.query('TRUNCATE tickets');
  });

  it('commits the work and returns its result', async () => {
    const result = await withTransaction(db.pool, async (client) => {
      await client.query(`INSERT INTO tickets VALUES ('A001', 'NBI-GPO')`);
      return 'issued';
    });
    expect(result).toBe('issued');
    expect((await db.pool.query('SELECT number FROM tickets')).rows).toEqual([{ number: 'A001' }]);
  });

  it('rolls back everything when the work fails, rethrows, and gives the connection back', async () => {
    await db.pool.query(`INSERT INTO tickets VALUES ('A001', 'NBI-GPO')`);
    let attempts = 0;
    const failure = withTransaction(db.pool, async (client) => {
      attempts++;
      await client.query(`INSERT INTO tickets VALUES ('A002', 'NBI-GPO')`);
      await client.query(`INSERT INTO tickets VALUES ('A001', 'MSA')`); // duplicate
    });
    await expect(failure).rejects.toMatchObject({ code: PG_ERROR.unique_violation });
    expect(attempts).toBe(1); // a unique violation is not retried

    // The pool has a single connection: this only works if it was released.
    const rows = await withTransaction(db.pool, async (client) => (await client.query('SELECT number FROM tickets')).rows);
    expect(rows).toEqual([{ number: 'A001' }]);
  });

  it('names PostgreSQL errors by their SQLSTATE', async () => {
    const error = await db.pool.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(pgErrorCode(error)).toBe(PG_ERROR.undefined_table);
    expect(isPgError(error, PG_ERROR.undefined_table)).toBe(true);
    expect(pgErrorCode(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  });
}

function retrySuite(): void {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ kind: 'postgres', migrations: false, poolMax: 2 });
    await db.pool.query('CREATE TABLE bookings (id serial PRIMARY KEY, slot int NOT NULL)');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('retries the whole work after a serialization failure', async () => {
    let attempts = 0;
    const booked = await withTransaction(
      db.pool,
      async (client) => {
        attempts++;
        const { rows } = await client.query<{ taken: number }>('SELECT count(*)::int AS taken FROM bookings WHERE slot = 1');
        if (attempts === 1) await bookSlotConcurrently(db.url);
        await client.query('INSERT INTO bookings (slot) VALUES (1)');
        return rows[0].taken;
      },
      { isolation: 'serializable' },
    );
    expect(attempts).toBe(2);
    expect(booked).toBe(1); // the second attempt saw the concurrent booking
    expect((await db.pool.query('SELECT count(*)::int AS n FROM bookings')).rows[0].n).toBe(2);
  });

  it('gives up after the allowed retries and reports the serialization failure', async () => {
    let attempts = 0;
    const failing = withTransaction(
      db.pool,
      async (client) => {
        attempts++;
        await client.query('SELECT count(*) FROM bookings WHERE slot = 2');
        await bookSlotConcurrently(db.url, 2);
        await client.query('INSERT INTO bookings (slot) VALUES (2)');
      },
      { isolation: 'serializable', retries: 1 },
    );
    await expect(failing).rejects.toMatchObject({ code: PG_ERROR.serialization_failure });
    expect(attempts).toBe(2);
  });

  it('survives an idle connection being killed, and keeps serving', async () => {
    const errors: Error[] = [];
    const pool = createPool({ url: db.url, max: 1, applicationName: 'kiungo-idle-probe', onIdleClientError: (e) => errors.push(e) });
    try {
      const pid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const idleClientError = new Promise<void>((resolve) => pool.once('error', () => resolve()));
      await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      await idleClientError;

      expect(errors).toHaveLength(1);
      expect(isPgError(errors[0], PG_ERROR.admin_shutdown)).toBe(true);
      expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await pool.end();
    }
  });
}

/** Another session books the slot in its own serializable transaction, and commits first. */
async function bookSlotConcurrently(url: string, slot = 1): Promise<void> {
  const other = new Client({ connectionString: url });
  await other.connect();
  try {
    await other.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    await other.query('SELECT count(*) FROM bookings WHERE slot = $1', [slot]);
    await other.query('INSERT INTO bookings (slot) VALUES ($1)', [slot]);
    await other.query('COMMIT');
  } finally {
    await other.end();
  }
}

describe('isDatabaseUnavailable', () => {
  it('recognises a database that cannot be reached, and not an ordinary SQL error', async () => {
    const { createPool: makePool, isDatabaseUnavailable: unavailable } = await import('./pool');
    const nowhere = makePool({ url: 'postgres://postgres@127.0.0.1:1/none', max: 1, applicationName: 'unreachable', connectionTimeoutMs: 500 });
    const refused = await nowhere.query('SELECT 1').catch((error: unknown) => error);
    await nowhere.end();
    expect(unavailable(refused)).toBe(true);
    expect(unavailable({ code: '42P01', message: 'relation "x" does not exist' })).toBe(false);
    expect(unavailable({ code: '57P01', message: 'terminating connection due to administrator command' })).toBe(true);
    expect(unavailable(new Error('boom'))).toBe(false);
  });
});
