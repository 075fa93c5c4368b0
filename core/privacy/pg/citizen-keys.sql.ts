/**
 * The citizen_keys table (migration 0130) as the record tables use it: each transaction's and
 * booking's data key is written by the statement that writes the row and read with the row, so
 * crypto-shredding costs no round trip. Erasure and retention destroy the keys (PgPersonalDataStore).
 */

/**
 * The row's data key, read in the same statement: a look-up by its primary key. Null once erasure
 * or retention destroyed it, and for rows sealed before per-record keys.
 */
export function dataKeyOf(table: string): string {
  return `(SELECT key_sealed FROM citizen_keys WHERE record_id = ${table}.id) AS data_key_sealed`;
}

/** A CTE storing a new record's data key when the CTE `written` wrote the row (parameters: SQL of each value). */
export function storeDataKeyCte(written: string, recordId: string, keySealed: string): string {
  return `citizen_key AS (
         INSERT INTO citizen_keys (record_id, key_sealed)
         SELECT ${recordId}, ${keySealed} WHERE EXISTS (SELECT 1 FROM ${written}))`;
}
