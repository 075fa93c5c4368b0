import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../audit/canonical-json';

/**
 * Statements Kiungo signs so that someone who does not trust its database can check them: audit
 * seals today, citizens' receipts later (issue 14). One algorithm (Ed25519), one byte form (the
 * statement's canonical JSON), one key id (derived from the public key, so it cannot disagree with
 * it). A statement names its own `type`, so a signature over one kind can never pass for another.
 */
export interface Statement {
  /** What the statement is, e.g. `kiungo.audit.seal.v1`; part of the signed bytes. */
  type: string;
}

export interface SignedStatement<T extends Statement = Statement> {
  statement: T;
  /** Which key signed it (see `keyIdOf`). */
  keyId: string;
  /** Ed25519 over `statementBytes(statement)`, base64url. */
  signature: string;
}

/** A public key as published (GET /v1/audit/keys, archives, the seal folder). */
export interface PublishedKey {
  keyId: string;
  algorithm: 'Ed25519';
  /** SubjectPublicKeyInfo, PEM. */
  publicKeyPem: string;
}

export type SignatureCheck = 'valid' | 'unknown-key' | 'bad-signature';

/** The exact bytes that are signed and hashed. */
export function statementBytes(statement: Statement): Buffer {
  return Buffer.from(canonicalJson(statement), 'utf8');
}

/** sha256 of the statement's bytes, hex: how one statement names another (a seal its predecessor). */
export function statementDigest(statement: Statement): string {
  return createHash('sha256').update(statementBytes(statement)).digest('hex');
}

/** `ed25519-` and the first 16 hex digits of sha256 over the raw 32-byte public key. */
export function keyIdOf(publicKey: KeyObject): string {
  const raw = rawPublicKey(publicKey);
  return `ed25519-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
}

export function publishKey(publicKey: KeyObject): PublishedKey {
  return { keyId: keyIdOf(publicKey), algorithm: 'Ed25519', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Reads a published key back; throws when it is not an Ed25519 key or its id does not match it. */
export function readPublishedKey(key: PublishedKey): KeyObject {
  const publicKey = createPublicKey(key.publicKeyPem);
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error(`key ${key.keyId} is not an Ed25519 key`);
  if (keyIdOf(publicKey) !== key.keyId) throw new Error(`key ${key.keyId} does not match its public key (${keyIdOf(publicKey)})`);
  return publicKey;
}

/** Holds one private key; never exposes it. */
export class StatementSigner {
  readonly keyId: string;
  readonly publicKey: KeyObject;

  private constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  /** From a PKCS#8 PEM, or base64 of the PKCS#8 DER (convenient in an environment variable). */
  static fromText(text: string): StatementSigner {
    const trimmed = text.trim();
    const key = trimmed.startsWith('-----BEGIN')
      ? createPrivateKey(trimmed)
      : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the signing key is a ${key.asymmetricKeyType} key, not Ed25519`);
    return new StatementSigner(key);
  }

  get published(): PublishedKey {
    return publishKey(this.publicKey);
  }

  sign<T extends Statement>(statement: T): SignedStatement<T> {
    const signature = sign(null, statementBytes(statement), this.privateKey).toString('base64url');
    return { statement, keyId: this.keyId, signature };
  }
}

/** The public keys a verifier trusts, by key id. */
export class TrustedKeys {
  private readonly keys = new Map<string, { published: PublishedKey; key: KeyObject }>();

  constructor(keys: Iterable<PublishedKey> = []) {
    for (const key of keys) this.add(key);
  }

  add(published: PublishedKey): void {
    if (this.keys.has(published.keyId)) return;
    this.keys.set(published.keyId, { published, key: readPublishedKey(published) });
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  list(): PublishedKey[] {
    return [...this.keys.values()].map((entry) => entry.published);
  }

  check(signed: SignedStatement): SignatureCheck {
    const entry = this.keys.get(signed.keyId);
    if (!entry) return 'unknown-key';
    let signature: Buffer;
    try {
      signature = Buffer.from(signed.signature, 'base64url');
    } catch {
      return 'bad-signature';
    }
    return verify(null, statementBytes(signed.statement), entry.key, signature) ? 'valid' : 'bad-signature';
  }
}

function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 public key');
  return Buffer.from(jwk.x, 'base64url');
}
