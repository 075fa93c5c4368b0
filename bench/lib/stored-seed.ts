/**
 * Databases that already hold N transactions, for the `stored` scenario: how the cost of a submit
 * grows with what is stored. Seeded once per size into `kiungo_bench_stored_<N>` and reused by
 * later runs (which add their own few thousand rows; the count is printed). The schema is the
 * migrations'; the rows look like the gateway's: completed NRB transactions with sealed personal
 * data of the real size, a unique agency reference each, three audit events each in the form
 * histories written before issue 13 hold (received, dispatched, completed; a submit now writes two,
 * and a database that served before and after holds both forms) and an answered idempotency key each.
 *
 * Sealed as the gateway seals since migration 0130: citizen and payload in the version-2 format
 * (under the transaction's own data key) and one citizen_keys row per transaction holding that key
 * (version 1, under the key-wrapping key), so what reads a transaction with its key
 * (core/privacy/pg/citizen-keys.sql.ts) looks it up as it would in production. Every sealed value
 * is random bytes of the real length behind the right version byte, made in SQL like the rest of
 * the seed: none of them opens (nothing measured opens a seeded row). A database seeded in an older
 * format (SEED_FORMAT, in bench_seed) is dropped and seeded again.
 *
 * Fast enough for 10 million: every table is filled by one INSERT … SELECT FROM generate_series
 * with its indexes and keys dropped meanwhile, the four tables at once (keys and indexes rebuilt once
 * after; foreign keys re-added NOT VALID: they hold for new rows, nothing re-checks the seeded
 * ones), then ANALYZE. No VACUUM: nothing the submit path does reads the seeded rows' heap.
 *
 * The audit chain: the seeded events of shard s are numbered 1, 2, … and linked (each one's
 * prev_hash is the previous one's hash), and the chain head of each shard is set to its last
 * seeded event, so every event the gateway appends afterwards continues its chain correctly. The
 * seeded hashes are placeholders (sha256 of shard and seq), not hashes of the content: a full
 * `verify` of a seeded database reports the seeded part as broken. Seeded transaction g is put on
 * shard (g - 1) mod shards, not shardOf(id): nothing in the measured path reads seeded history.
 * `shards` is the number of chains at seeding: a database seeded with 16 and migrated since to more
 * keeps its seed (the chains 0132 added start at genesis) and its appended chain still checks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chainHash, eventContent, genesisHash } from '../../core/audit/audit-event';
import { Pool, type PoolClient } from 'pg';
import { migrate } from '../../core/db/migrate';
import { PersonalDataVault } from '../../core/shared/personal-data';
import { nrbEnvelope } from '../../test/e2e/transactions.helpers';
import { databaseExists, migrateReused, recreateDatabase, withClient, withDatabaseName } from './database';
import type { Check } from './scenario';

/** Seeded transactions are spread evenly over this many days before the seeding. */
const SPAN_DAYS = 180;
const SEEDED_TABLES = ['transactions', 'citizen_keys', 'audit_events', 'idempotency_keys'] as const;
/**
 * The shape of the seeded rows, stored in bench_seed: a reused database seeded in another shape is
 * seeded again. 1 (no `format` column): version-1 sealed values, no citizen_keys. 2: version-2
 * sealed values and a citizen_keys row per transaction.
 */
const SEED_FORMAT = 2;

export interface StoredSeed {
  databaseUrl: string;
  /** Transactions seeded. */
  seeded: number;
  /** Transactions in the database now (seeded + added by runs since). */
  stored: number;
  /** Seconds the seeding took, when this run seeded. */
  seededInSec?: number;
  seededAt: Date;
}

/** Drops and re-creates `name` unless it holds a seed of exactly `transactions` rows; size 0 is always fresh. */
export async function ensureStoredDatabase(adminUrl: string, name: string, transactions: number, log: (line: string) => void): Promise<StoredSeed> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const databaseUrl = withDatabaseName(adminUrl, name);
  const existing = transactions > 0 ? await readSeed(adminUrl, name, databaseUrl, log) : undefined;
  if (existing && existing.seeded === transactions) {
    await migrateReused(databaseUrl);
    return existing;
  }

  await recreateDatabase(adminUrl, name);
  const pool = new Pool({ connectionString: databaseUrl, max: SEEDED_TABLES.length, application_name: 'kiungo-bench-seed' });
  try {
    await migrate(pool);
    if (transactions === 0) return { databaseUrl, seeded: 0, stored: 0, seededAt: new Date() };
    log(`stored: seeding ${transactions.toLocaleString('en')} transactions into ${name} (once; reused by later runs)`);
    const started = performance.now();
    await seed(pool, transactions, log);
    const seededInSec = (performance.now() - started) / 1000;
    await pool.query('CREATE TABLE bench_seed (transactions bigint NOT NULL, seeded_at timestamptz NOT NULL, seconds double precision NOT NULL, format integer NOT NULL)');
    await pool.query('INSERT INTO bench_seed VALUES ($1, now(), $2, $3)', [transactions, seededInSec, SEED_FORMAT]);
    log(`stored: seeded ${name} in ${seededInSec.toFixed(0)} s`);
    return { databaseUrl, seeded: transactions, stored: transactions, seededInSec, seededAt: new Date() };
  } finally {
    await pool.end();
  }
}

/**
 * The chain the gateway appended after the seed verifies: in every shard, the first event after the
 * seeded ones links to the last seeded hash, each following one hashes its content onto the one
 * before (core/audit's chainHash), and the head is the last of them.
 */
export async function appendedChainCheck(databaseUrl: string, seeded: number): Promise<Check> {
  return withClient(databaseUrl, async (client) => {
    const { rows: heads } = await client.query<{ shard: number; seq: string; hash: Buffer }>('SELECT shard, seq, hash FROM audit_chain_heads ORDER BY shard');
    const shards = heads.length;
    // The chains the seed was spread over: as many as there were when it was seeded (16 before 0132),
    // each starting with a seeded event (actor 'seed', which the gateway never writes).
    const { rows: first } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE shard = ANY($1::integer[]) AND seq = 1 AND actor = 'seed'`, [
      heads.map((head) => head.shard),
    ]);
    const seedChains = Number(first[0].n);
    let checked = 0;
    const broken: string[] = [];
    for (const head of heads) {
      const lastSeeded = head.shard < seedChains ? 3 * (Math.floor((seeded - 1 - head.shard) / seedChains) + 1) : 0;
      let prev = lastSeeded > 0 ? placeholderHash(head.shard, lastSeeded) : genesisHash(head.shard);
      let expected = lastSeeded + 1;
      const { rows } = await client.query<{ seq: string; entity_type: string; entity_id: string; type: string; actor: string; data: Record<string, unknown>; occurred_at: Date; prev_hash: Buffer; hash: Buffer }>(
        'SELECT seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash FROM audit_events WHERE shard = $1 AND seq > $2 ORDER BY seq',
        [head.shard, lastSeeded],
      );
      for (const row of rows) {
        const content = eventContent({ entityType: row.entity_type, entityId: row.entity_id, type: row.type, actor: row.actor, data: row.data, occurredAt: row.occurred_at });
        if (Number(row.seq) !== expected || !row.prev_hash.equals(prev) || !chainHash(prev, expected, content).equals(row.hash)) {
          broken.push(`shard ${head.shard} seq ${row.seq}`);
          break;
        }
        prev = row.hash;
        expected++;
        checked++;
      }
      if (Number(head.seq) !== expected - 1 || !head.hash.equals(prev)) broken.push(`shard ${head.shard} head`);
    }
    return {
      label: 'the audit chain appended after the seed verifies, and every chain head is its last event',
      ok: broken.length === 0,
      detail: broken.length === 0 ? `${checked} appended events checked over ${shards} shards` : `broken at ${broken.slice(0, 5).join(', ')}`,
    };
  });
}

/** The seeded events' hash: sha256 of int8(shard × 10¹² + seq), as the seeding SQL writes it. */
function placeholderHash(shard: number, seq: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt(shard) * 1_000_000_000_000n + BigInt(seq));
  return createHash('sha256').update(bytes).digest();
}

/** Table and index sizes of the seeded tables, e.g. `transactions 6.1 GB + indexes 2.3 GB`. */
export async function describeSizes(databaseUrl: string): Promise<string> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ name: string; heap: string; indexes: string }>(
      `SELECT c.relname AS name, pg_size_pretty(pg_table_size(c.oid)) AS heap, pg_size_pretty(pg_indexes_size(c.oid)) AS indexes
         FROM pg_class c WHERE c.relname = ANY($1::text[]) AND c.relkind = 'r' ORDER BY c.relname`,
      [SEEDED_TABLES],
    );
    return rows.map((r) => `${r.name} ${r.heap} + indexes ${r.indexes}`).join('; ');
  });
}

/** One INSERT … SELECT per table, the four at once (one connection each), keys dropped meanwhile. */
async function seed(pool: Pool, n: number, log: (line: string) => void): Promise<void> {
  let phaseStarted = performance.now();
  const phase = (name: string): void => {
    log(`stored: ${name} in ${((performance.now() - phaseStarted) / 1000).toFixed(1)} s`);
    phaseStarted = performance.now();
  };
  const shards = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM audit_chain_heads')).rows[0].n);
  const sizes = sealedSizes();
  const keys = await withSession(pool, dropKeysAndIndexes);
  const from = new Date(Date.now() - SPAN_DAYS * 86_400_000);
  const stepMs = (SPAN_DAYS * 86_400_000) / n;
  const at = `$1::timestamptz + make_interval(secs => g * $2::double precision / 1000)`;
  const agencyRef = `'NRB-S' || lpad(g::text, 10, '0')`;
  // A sealed value of the real length (AES-GCM output of the bench's citizen, payload and data key):
  // the format's version byte, then bytes that stand for IV, tag and ciphertext (they open to nothing).
  const sealed = (version: number, length: number, salt: number): string =>
    `decode('${version.toString(16).padStart(2, '0')}', 'hex') || substring(decode(repeat(encode(sha256(int8send(g * 4 + ${salt})), 'hex'), ${Math.ceil(length / 32)}), 'hex') from 1 for ${length - 1})`;
  const transactions = `INSERT INTO transactions (id, service_code, agency_code, channel, centre_code, officer_id, submitted_by, citizen_id_hash,
       citizen_sealed, payload_sealed, state, attempts, max_attempts, next_attempt_at, agency_ref, result, last_error,
       idempotency_scope, idempotency_key, request_hash, created_at, updated_at)
     SELECT md5('tx' || g)::uuid, 'id-card-replacement', 'nrb', (ARRAY['counter', 'portal', 'ussd', 'mobile'])[1 + g % 4],
            'NRB-GPO', NULL, 'seed', translate(encode(sha256(int8send(g % ${Math.max(1, Math.floor(n / 2))})), 'base64'), '+/=', '-_'),
            ${sealed(sizes.version, sizes.citizen, 1)}, ${sealed(sizes.version, sizes.payload, 2)}, 'completed', 1, 8, NULL,
            ${agencyRef}, jsonb_build_object('reference', ${agencyRef}, 'collectionDate', '2026-12-01'), NULL,
            'seed', 'seed-' || g, translate(encode(sha256(int8send(g)), 'base64'), '+/=', '-_'), ${at}, ${at}
       FROM generate_series(1, $3::bigint) AS g`;
  // Each transaction's data key, as the submit's statement stores it beside the row.
  const citizenKeys = `INSERT INTO citizen_keys (record_id, key_sealed)
     SELECT md5('tx' || g)::uuid, ${sealed(sizes.keyVersion, sizes.key, 3)}
       FROM generate_series(1, $1::bigint) AS g`;
  // Three events per transaction on shard (g - 1) % shards, numbered 3i + k within it (i = (g - 1) / shards);
  // the first of a shard links to its genesis hash, every other to the placeholder hash of the one before.
  const seq = `3 * ((g - 1) / $4) + k`;
  const placeholder = (sequence: string): string => `sha256(int8send(((g - 1) % $4) * 1000000000000 + ${sequence}))`;
  const auditEvents = `INSERT INTO audit_events (shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash)
     SELECT (g - 1) % $4, ${seq}, 'transaction', t.id, (ARRAY['received', 'dispatched', 'completed'])[k], 'seed',
            CASE k WHEN 1 THEN jsonb_build_object('service', 'id-card-replacement', 'agency', 'nrb', 'channel', 'counter', 'centre', 'NRB-GPO')
                   WHEN 2 THEN jsonb_build_object('attempt', 1, 'inline', true)
                   ELSE jsonb_build_object('attempt', 1, 'agencyRef', ${agencyRef}) END,
            ${at}, CASE WHEN ${seq} = 1 THEN h.hash ELSE ${placeholder(`${seq} - 1`)} END, ${placeholder(seq)}
       FROM generate_series(1, $3::bigint) AS g
      CROSS JOIN LATERAL (SELECT md5('tx' || g)::uuid::text AS id) t
      CROSS JOIN generate_series(1, 3) AS k
       JOIN audit_chain_heads h ON h.shard = (g - 1) % $4`;
  const idempotencyKeys = `INSERT INTO idempotency_keys (scope, key, route, request_hash, status, body, created_at)
     SELECT 'seed', 'seed-' || g, 'POST /v1/transactions', translate(encode(sha256(int8send(g)), 'base64'), '+/=', '-_'), 200,
            jsonb_build_object('id', md5('tx' || g)::uuid, 'service', 'id-card-replacement', 'agency', 'nrb', 'channel', 'counter',
              'centre', 'NRB-GPO', 'officer', null, 'state', 'completed', 'agencyReference', ${agencyRef},
              'result', jsonb_build_object('reference', ${agencyRef}, 'collectionDate', '2026-12-01'),
              'lastError', null, 'attempts', 1, 'maxAttempts', 8, 'nextAttemptAt', null,
              'citizen', jsonb_build_object('idNumber', '****5678', 'phone', '+2547****678'),
              'statusUrl', '/v1/transactions/' || md5('tx' || g)::uuid),
            ${at}
       FROM generate_series(1, $3::bigint) AS g`;
  await Promise.all([
    withSession(pool, (c) => c.query(transactions, [from, stepMs, n])),
    withSession(pool, (c) => c.query(citizenKeys, [n])),
    withSession(pool, (c) => c.query(auditEvents, [from, stepMs, n, shards])),
    withSession(pool, (c) => c.query(idempotencyKeys, [from, stepMs, n])),
  ]);
  phase('transactions, citizen keys, audit events and idempotency keys inserted');
  // Each head continues from its shard's last seeded event (shard s holds the transactions g ≡ s + 1).
  await pool.query(
    `UPDATE audit_chain_heads SET seq = 3 * (($1::bigint - 1 - shard) / $2 + 1), hash = sha256(int8send(shard * 1000000000000 + 3 * (($1::bigint - 1 - shard) / $2 + 1)))
      WHERE shard < $1::bigint`,
    [n, shards],
  );
  await restoreKeysAndIndexes(pool, keys);
  phase('keys and indexes rebuilt');
  for (const table of SEEDED_TABLES) await pool.query(`ANALYZE ${table}`);
  phase('analyzed');
}

/** A pooled connection set up for bulk work: no waiting for the WAL flush, memory for index builds. */
async function withSession<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(`SET synchronous_commit = off`);
    await client.query(`SET maintenance_work_mem = '256MB'`);
    return await work(client);
  } finally {
    client.release();
  }
}

interface DroppedKeys {
  /** Primary keys and unique constraints of the seeded tables. */
  constraints: Array<{ table: string; name: string; definition: string }>;
  /** Every foreign key from or to a seeded table (re-added NOT VALID). */
  foreignKeys: Array<{ table: string; name: string; definition: string }>;
  indexes: Array<{ table: string; definition: string }>;
}

async function dropKeysAndIndexes(client: PoolClient): Promise<DroppedKeys> {
  const tables = [...SEEDED_TABLES];
  const { rows: foreignKeys } = await client.query<{ table: string; name: string; definition: string }>(
    `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE contype = 'f' AND (conrelid::regclass::text = ANY($1::text[]) OR confrelid::regclass::text = ANY($1::text[]))`,
    [tables],
  );
  const { rows: constraints } = await client.query<{ table: string; name: string; definition: string }>(
    `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE contype IN ('p', 'u') AND conrelid::regclass::text = ANY($1::text[])`,
    [tables],
  );
  const { rows: indexes } = await client.query<{ table: string; name: string; definition: string }>(
    `SELECT tablename AS table, indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE schemaname = 'public' AND tablename = ANY($1::text[]) AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))`,
    [tables],
  );
  for (const fk of foreignKeys) await client.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT ${fk.name}`);
  for (const c of constraints) await client.query(`ALTER TABLE ${c.table} DROP CONSTRAINT ${c.name}`);
  for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
  return { constraints, foreignKeys, indexes: indexes.map((i) => ({ table: i.table, definition: i.definition })) };
}

/** Per table on its own connection (the four at once), then the foreign keys. */
async function restoreKeysAndIndexes(pool: Pool, keys: DroppedKeys): Promise<void> {
  await Promise.all(
    SEEDED_TABLES.map((table) =>
      withSession(pool, async (client) => {
        for (const c of keys.constraints.filter((k) => k.table === table)) await client.query(`ALTER TABLE ${c.table} ADD CONSTRAINT ${c.name} ${c.definition}`);
        for (const index of keys.indexes.filter((i) => i.table === table)) await client.query(index.definition);
      }),
    ),
  );
  for (const fk of keys.foreignKeys) await pool.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT ${fk.name} ${fk.definition} NOT VALID`);
}

/** The bench's citizen and payload sealed as the gateway seals a new transaction's (under its data key), and the key as stored: format versions and lengths. */
function sealedSizes(): { version: number; citizen: number; payload: number; keyVersion: number; key: number } {
  const vault = new PersonalDataVault(randomBytes(32));
  const envelope = nrbEnvelope() as { citizen: unknown; payload: unknown };
  const dataKey = vault.newDataKey();
  const citizen = vault.seal(envelope.citizen, dataKey);
  return { version: citizen[0], citizen: citizen.length, payload: vault.seal(envelope.payload, dataKey).length, keyVersion: dataKey.sealed[0], key: dataKey.sealed.length };
}

async function readSeed(adminUrl: string, name: string, databaseUrl: string, log: (line: string) => void): Promise<StoredSeed | undefined> {
  const exists = await databaseExists(adminUrl, name);
  if (!exists) return undefined;
  return withClient(databaseUrl, async (client) => {
    if ((await client.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'bench_seed'`)).rowCount !== 1) return undefined;
    // A seed from before the `format` column reads as format 1.
    const { rows } = await client.query<{ transactions: string; seeded_at: Date; format: number }>(
      `SELECT transactions, seeded_at, coalesce((to_jsonb(b) ->> 'format')::integer, 1) AS format FROM bench_seed b`,
    );
    if (!rows[0]) return undefined;
    if (rows[0].format !== SEED_FORMAT) {
      log(`stored: ${name} was seeded in format ${rows[0].format}, not ${SEED_FORMAT} (sealed values and citizen_keys as the gateway writes them): seeding it again`);
      return undefined;
    }
    // A half-seeded database has no bench_seed row; the planner's estimate is enough to tell a truncated one.
    const { rows: estimate } = await client.query<{ n: string }>(`SELECT reltuples::bigint AS n FROM pg_class WHERE relname = 'transactions'`);
    const seeded = Number(rows[0].transactions);
    if (Number(estimate[0]?.n ?? 0) < seeded * 0.9) return undefined;
    // The runs' own rows are the recent ones (transactions_created_at index): no count over all of them.
    const added = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM transactions WHERE created_at > $1`, [rows[0].seeded_at])).rows[0].n);
    const stored = seeded + added;
    return { databaseUrl, seeded, stored, seededAt: rows[0].seeded_at };
  });
}
