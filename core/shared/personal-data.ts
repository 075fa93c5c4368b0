import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { RandomBatch } from './random-batch';

/** Sealed under the key derived from the configured key: rows written before per-record keys, and tombstones. */
const UNDER_MASTER = 1;
/** Sealed under the record's own data key (citizen_keys), which erasure destroys. */
const UNDER_DATA_KEY = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;

/** What an erased ID number or phone reads as, for readers entitled to personal data. */
export const ERASED = 'ERASED';

/** A new record's data key: `key` seals its values; `sealed` (under the key-wrapping key) is what is stored, in citizen_keys. */
export interface DataKey {
  key: KeyObject;
  sealed: Buffer;
}

/** A record's sealed citizen data (a transaction, a booking), read with its data key. */
export interface SealedRecord {
  citizenSealed: Buffer;
  /**
   * The record's data key as stored in citizen_keys (sealed under the key-wrapping key). Null for a
   * record sealed under the configured key (written before per-record keys), and once the key has
   * been destroyed (erasure, retention): the record's values then open to nothing.
   */
  dataKeySealed: Buffer | null;
}

/**
 * National ID numbers and phone numbers are personal data: stored sealed (AES-256-GCM), found
 * again through a keyed hash, and shown masked. The purposes use separate keys derived from the
 * one configured key, so the look-up hash reveals nothing about the sealing keys.
 *
 * A transaction's or a booking's citizen data and payload are sealed under a data key of their own
 * (crypto-shredding): the key is stored apart, sealed under the key-wrapping key, and erasing the
 * citizen destroys it, which leaves every copy of those values (WAL, replicas, dumps, backups)
 * unreadable, not only the live row.
 */
export class PersonalDataVault {
  // KeyObjects, made once: a raw key Buffer is imported again by every cipher and HMAC.
  private readonly sealKey: KeyObject;
  private readonly lookupKey: KeyObject;
  private readonly wrapKey: KeyObject;
  private readonly random = new RandomBatch();

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the personal-data key must be 32 bytes');
    const derive = (purpose: string): KeyObject => createSecretKey(Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), purpose, 32)));
    this.sealKey = derive('kiungo:seal:v1');
    this.lookupKey = derive('kiungo:lookup:v1');
    this.wrapKey = derive('kiungo:wrap:v1');
  }

  /** A fresh random data key for one new record. */
  newDataKey(): DataKey {
    // A copy: sealing it takes an IV from the same batch, which may draw anew over these bytes.
    const raw = Buffer.from(this.random.take(DATA_KEY_BYTES));
    return { key: createSecretKey(raw), sealed: this.encrypt(UNDER_MASTER, this.wrapKey, raw) };
  }

  /**
   * Version byte, a fresh random 96-bit IV, the GCM tag, then the ciphertext of the value's JSON:
   * under the record's data key (version 2) when given, else under the configured key's (version 1).
   */
  seal(value: unknown, dataKey?: DataKey): Buffer {
    const plain = JSON.stringify(value);
    return dataKey ? this.encrypt(UNDER_DATA_KEY, dataKey.key, plain) : this.encrypt(UNDER_MASTER, this.sealKey, plain);
  }

  /**
   * A sealed value; one under a data key needs that key as stored (`dataKeySealed`). Throws when
   * the key is missing, wrong, or the value was altered: nothing is ever guessed.
   */
  open<T>(sealed: Buffer, dataKeySealed: Buffer | null = null): T {
    return JSON.parse(this.decrypt(sealed, dataKeySealed).toString('utf8')) as T;
  }

  /** A record's citizen; once its data key is destroyed, what an erased record reads as. */
  openCitizen<T extends { idNumber: string }>(record: SealedRecord): T {
    if (this.destroyed(record.citizenSealed, record.dataKeySealed)) return { idNumber: ERASED, phone: ERASED } as unknown as T;
    return this.open<T>(record.citizenSealed, record.dataKeySealed);
  }

  /** Stable keyed hash for equality look-ups (e.g. a citizen's transactions by national ID). */
  lookupHash(value: string): string {
    return createHmac('sha256', this.lookupKey).update(value.trim(), 'utf8').digest('base64url');
  }

  private destroyed(sealed: Buffer, dataKeySealed: Buffer | null): boolean {
    return sealed[0] === UNDER_DATA_KEY && dataKeySealed === null;
  }

  /**
   * Laid out in one Buffer of the sealed value's size: no version Buffer, list and concatenation per
   * value (issue 13). A string is encrypted as its UTF-8 bytes, without a Buffer of its own.
   */
  private encrypt(version: number, key: KeyObject, plain: Buffer | string): Buffer {
    const iv = this.random.take(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = typeof plain === 'string' ? cipher.update(plain, 'utf8') : cipher.update(plain);
    // GCM is a stream mode: final() gives no bytes (written all the same, should it ever give some) and makes the tag.
    const last = cipher.final();
    const sealed = Buffer.allocUnsafe(1 + IV_BYTES + TAG_BYTES + body.length + last.length);
    sealed[0] = version;
    iv.copy(sealed, 1);
    cipher.getAuthTag().copy(sealed, 1 + IV_BYTES);
    body.copy(sealed, 1 + IV_BYTES + TAG_BYTES);
    if (last.length > 0) last.copy(sealed, 1 + IV_BYTES + TAG_BYTES + body.length);
    return sealed;
  }

  private decrypt(sealed: Buffer, dataKeySealed: Buffer | null): Buffer {
    let key: KeyObject;
    if (sealed[0] === UNDER_MASTER) key = this.sealKey;
    else if (sealed[0] !== UNDER_DATA_KEY) throw new Error(`unknown sealed-data version ${sealed[0]}`);
    else if (!dataKeySealed) throw new Error('sealed under a data key that is not there (destroyed by erasure or retention)');
    else key = createSecretKey(this.decryptWith(this.wrapKey, dataKeySealed, UNDER_MASTER));
    return this.decryptWith(key, sealed, sealed[0]);
  }

  private decryptWith(key: KeyObject, sealed: Buffer, version: number): Buffer {
    if (sealed[0] !== version) throw new Error(`unknown sealed-data version ${sealed[0]}`);
    const iv = sealed.subarray(1, 1 + IV_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new Error('sealed data does not open with this key (a wrong key, or altered data)');
    }
  }
}

/** `12345678` → `****5678`. */
export function maskIdNumber(idNumber: string): string {
  return idNumber.length <= 4 ? '****' : `${'*'.repeat(idNumber.length - 4)}${idNumber.slice(-4)}`;
}

/** `+254712345678` → `+2547******78`. */
export function maskPhone(phone: string): string {
  if (phone.length <= 7) return '*'.repeat(phone.length);
  return `${phone.slice(0, 5)}${'*'.repeat(phone.length - 7)}${phone.slice(-2)}`;
}

/** 7 or 8 digits standing alone (not part of a UUID, code or longer number): a national ID's shape. */
export const NATIONAL_ID_LIKE = /(?<![0-9A-Za-z-])[0-9]{7,8}(?![0-9A-Za-z-])/g;
/** A Kenyan mobile number as typed (`+254…`, `254…`, `07…`, `01…`; the `+` maybe percent-encoded). */
export const PHONE_LIKE = /(?<![0-9A-Za-z-])(?:\+|%2[Bb])?(?:254|0)[17][0-9]{8}(?![0-9A-Za-z-])/g;

/**
 * Free text (a path someone typed, an error message) with everything shaped like a national ID
 * or a Kenyan mobile number masked. Over-masking a number that was neither is the safe mistake.
 */
export function maskPersonalDataIn(text: string): string {
  if (!/[0-9]{7}/.test(text)) return text;
  return text.replace(PHONE_LIKE, maskPhone).replace(NATIONAL_ID_LIKE, maskIdNumber);
}
