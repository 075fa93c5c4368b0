import type { Queryable } from '../db/pool';
import { statementBytes } from '../signing/signed-statement';
import { parseStoredJson } from './json-text';
import { asSeal, sealDigest, type Seal } from './seal';

/** The `audit_seals` table: seals as signed, in number order. */
export class SealStore {
  async last(db: Queryable): Promise<Seal | null> {
    const { rows } = await db.query<SealRow>(`SELECT ${COLUMNS} FROM audit_seals ORDER BY seal_no DESC LIMIT 1`);
    return rows[0] ? toSeal(rows[0]) : null;
  }

  /** Seals numbered after `afterNo`, oldest first. */
  async page(db: Queryable, afterNo: number, limit: number): Promise<Seal[]> {
    const { rows } = await db.query<SealRow>(`SELECT ${COLUMNS} FROM audit_seals WHERE seal_no > $1 ORDER BY seal_no LIMIT $2`, [afterNo, limit]);
    return rows.map(toSeal);
  }

  /** Seals sealed in [from, to), oldest first. */
  async between(db: Queryable, from: Date, to: Date): Promise<Seal[]> {
    const { rows } = await db.query<SealRow>(`SELECT ${COLUMNS} FROM audit_seals WHERE sealed_at >= $1 AND sealed_at < $2 ORDER BY seal_no`, [from, to]);
    return rows.map(toSeal);
  }

  async all(db: Queryable): Promise<Seal[]> {
    const seals: Seal[] = [];
    for (let after = 0; ; ) {
      const page = await this.page(db, after, 1000);
      seals.push(...page);
      if (page.length < 1000) return seals;
      after = page[page.length - 1].statement.sealNo;
    }
  }

  async insert(db: Queryable, seal: Seal): Promise<void> {
    await db.query('INSERT INTO audit_seals (seal_no, sealed_at, statement, key_id, signature, digest) VALUES ($1, $2, $3, $4, $5, $6)', [
      seal.statement.sealNo,
      seal.statement.sealedAt,
      statementBytes(seal.statement).toString('utf8'),
      seal.keyId,
      seal.signature,
      sealDigest(seal),
    ]);
  }
}

const COLUMNS = 'seal_no, statement, key_id, signature';

interface SealRow {
  seal_no: string;
  statement: string;
  key_id: string;
  signature: string;
}

function toSeal(row: SealRow): Seal {
  let parsed: unknown;
  try {
    parsed = parseStoredJson(row.statement);
  } catch {
    parsed = undefined;
  }
  // A row whose statement no longer parses is kept as an empty statement: verify names it.
  return asSeal({ statement: parsed, keyId: row.key_id, signature: row.signature }) ?? {
    statement: { type: 'kiungo.audit.seal.v1', sealNo: Number(row.seal_no), sealedAt: '', previous: null, heads: [] },
    keyId: row.key_id,
    signature: '',
  };
}
