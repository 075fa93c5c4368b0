import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomFillSync, type KeyObject } from 'node:crypto';

const VERSION = 1;
const VERSION_BYTE = Buffer.from([VERSION]);
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** IVs drawn from the CSPRNG this many at a time (as node's randomUUID caches its entropy): one small randomBytes per seal cost more than the cipher. */
const IVS_PER_DRAW = 256;

/**
 * National ID numbers and phone numbers are personal data: stored sealed (AES-256-GCM), found
 * again through a keyed hash, and shown masked. The two purposes use separate keys derived from
 * the one configured key, so the look-up hash reveals nothing about the sealing key.
 */
export class PersonalDataVault {
  // KeyObjects, made once: a raw key Buffer is imported again by every cipher and HMAC.
  private readonly sealKey: KeyObject;
  private readonly lookupKey: KeyObject;
  private readonly ivs = Buffer.alloc(IV_BYTES * IVS_PER_DRAW);
  private ivsTaken = IVS_PER_DRAW;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the personal-data key must be 32 bytes');
    this.sealKey = createSecretKey(Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'kiungo:seal:v1', 32)));
    this.lookupKey = createSecretKey(Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'kiungo:lookup:v1', 32)));
  }

  /** Version byte, a fresh random 96-bit IV, the GCM tag, then the ciphertext of the value's JSON. */
  seal(value: unknown): Buffer {
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const body = cipher.update(JSON.stringify(value), 'utf8');
    const last = cipher.final();
    return Buffer.concat([VERSION_BYTE, iv, cipher.getAuthTag(), body, last]);
  }

  /** The next unused IV of the batch (each is used once), drawing a new batch when all are taken. */
  private nextIv(): Buffer {
    if (this.ivsTaken === IVS_PER_DRAW) {
      randomFillSync(this.ivs);
      this.ivsTaken = 0;
    }
    this.ivsTaken += 1;
    return this.ivs.subarray((this.ivsTaken - 1) * IV_BYTES, this.ivsTaken * IV_BYTES);
  }

  open<T>(sealed: Buffer): T {
    if (sealed[0] !== VERSION) throw new Error(`unknown sealed-data version ${sealed[0]}`);
    const iv = sealed.subarray(1, 1 + IV_BYTES);
    const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, iv);
    decipher.setAuthTag(tag);
    const body = Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    return JSON.parse(body.toString('utf8')) as T;
  }

  /** Stable keyed hash for equality look-ups (e.g. a citizen's transactions by national ID). */
  lookupHash(value: string): string {
    return createHmac('sha256', this.lookupKey).update(value.trim(), 'utf8').digest('base64url');
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
