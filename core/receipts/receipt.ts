import { canonicalJson } from '../audit/canonical-json';
import type { SignedStatement, Statement } from '../signing/signed-statement';

export const RECEIPT_STATEMENT = 'kiungo.receipt.v1';

/**
 * What a citizen's receipt vouches for, short enough for a QR code a counter printer can print:
 * the transaction, its provisional reference, the service, the centre, when it was received
 * (to the second) and the national ID number masked as printed. Nothing more personal.
 */
export interface ReceiptStatement extends Statement {
  type: typeof RECEIPT_STATEMENT;
  /** Transaction id. */
  tx: string;
  /** Provisional reference (null when the application went through at once). */
  ref: string | null;
  /** Service code. */
  svc: string;
  /** Centre code (null from a channel without one). */
  ctr: string | null;
  /** Received, ISO 8601 UTC to the second. */
  at: string;
  /** National ID number, masked. */
  id: string;
}

export interface ReceiptFacts {
  transactionId: string;
  provisionalRef: string | null;
  serviceCode: string;
  centre: string | null;
  receivedAt: Date;
  idNumberMasked: string;
}

export function receiptStatement(facts: ReceiptFacts): ReceiptStatement {
  return {
    type: RECEIPT_STATEMENT,
    tx: facts.transactionId,
    ref: facts.provisionalRef,
    svc: facts.serviceCode,
    ctr: facts.centre,
    at: `${facts.receivedAt.toISOString().slice(0, 19)}Z`,
    id: facts.idNumberMasked,
  };
}

/**
 * The text in the QR code: `KR1.<key>.<statement>.<signature>`. `<key>` is the key id's 16 hex
 * digits, `<statement>` base64url of the statement's canonical JSON (exactly the signed bytes),
 * `<signature>` base64url of the 64-byte Ed25519 signature. Anyone with the published key checks it
 * offline: decode the statement, verify the signature over those bytes (README "Receipts").
 */
const PREFIX = 'KR1';
const TOKEN = /^KR1\.([0-9a-f]{16})\.([A-Za-z0-9_-]{1,1200})\.([A-Za-z0-9_-]{86})$/;
const FIELDS = ['at', 'ctr', 'id', 'ref', 'svc', 'tx', 'type'];

export function encodeReceipt(signed: SignedStatement<ReceiptStatement>): string {
  const hex = signed.keyId.replace(/^ed25519-/, '');
  return `${PREFIX}.${hex}.${Buffer.from(canonicalJson(signed.statement), 'utf8').toString('base64url')}.${signed.signature}`;
}

/**
 * The signed statement a receipt's text carries, or null when it is not one. Strict, so that one
 * changed character never reads as the same receipt: each base64url part must be the canonical
 * encoding of its bytes (no spare bits), and the statement's bytes its canonical JSON. The text may
 * also be a link whose `r` parameter holds it (what a phone's camera gives from a QR code with a URL).
 */
export function decodeReceipt(text: string): SignedStatement<ReceiptStatement> | null {
  const match = TOKEN.exec(fromLink(text.trim()));
  if (!match) return null;
  const [, hex, payload, signature] = match;
  const bytes = Buffer.from(payload, 'base64url');
  if (bytes.toString('base64url') !== payload || Buffer.from(signature, 'base64url').toString('base64url') !== signature) return null;
  let statement: unknown;
  try {
    statement = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (!isReceiptStatement(statement) || canonicalJson(statement) !== bytes.toString('utf8')) return null;
  return { statement, keyId: `ed25519-${hex}`, signature };
}

function fromLink(text: string): string {
  if (!/^https?:\/\//i.test(text)) return text;
  try {
    return new URL(text).searchParams.get('r') ?? '';
  } catch {
    return '';
  }
}

function isReceiptStatement(value: unknown): value is ReceiptStatement {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  if (Object.keys(record).sort().join() !== FIELDS.join()) return false;
  const text = (key: string) => typeof record[key] === 'string';
  const textOrNull = (key: string) => text(key) || record[key] === null;
  return record.type === RECEIPT_STATEMENT && text('tx') && textOrNull('ref') && text('svc') && textOrNull('ctr') && text('at') && text('id');
}
