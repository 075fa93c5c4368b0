import { join, resolve } from 'node:path';
import type { ReceiptConfig } from './app-config';
import { readSigningKey, type SigningKeyEnvReader } from './signing-key-config';

/**
 * The citizens' receipts (README "Receipts that cannot be forged"):
 *   KIUNGO_RECEIPT_KEY       the Ed25519 key that signs the statement in each acknowledgment's QR code
 *                            (PKCS#8 PEM or base64 DER; secret), or KIUNGO_RECEIPT_KEY_FILE naming a file;
 *                            unset in production: acknowledgments carry no QR code; embedded mode
 *                            generates KIUNGO_DATA_DIR/receipt-key.pem;
 *   KIUNGO_RECEIPT_KEY_DIR   the folder where every receipt key's public half stays published after a
 *                            rotation (default KIUNGO_DATA_DIR/receipt-keys; share it between replicas).
 *   KIUNGO_USSD_CODE, KIUNGO_SMS_NUMBER: what the receipt tells the citizen to dial or text to follow it.
 * A key of its own, not the seal key: the api replicas sign receipts, and the seal key belongs to the worker.
 */
export function readReceiptConfig(read: SigningKeyEnvReader, production: boolean, dataDir: string): ReceiptConfig {
  const keyDir = resolve(read.raw('KIUNGO_RECEIPT_KEY_DIR') ?? join(dataDir, 'receipt-keys'));
  const { key, source } = readSigningKey(read, production, dataDir, { inline: 'KIUNGO_RECEIPT_KEY', file: 'KIUNGO_RECEIPT_KEY_FILE', generated: 'receipt-key.pem' });
  const ussdCode = read.raw('KIUNGO_USSD_CODE') ?? '*191*9#';
  if (!/^\*[0-9*]{1,30}#$/.test(ussdCode)) read.fail('KIUNGO_USSD_CODE', `a USSD code such as *191*9#, got "${ussdCode}"`);
  const smsNumber = read.raw('KIUNGO_SMS_NUMBER') ?? null;
  if (smsNumber !== null && !/^\+?[0-9]{3,15}$/.test(smsNumber)) read.fail('KIUNGO_SMS_NUMBER', `a short code or phone number such as 22141, got "${smsNumber}"`);
  const followUp = { ussdCode, smsNumber };
  return key === undefined ? { keySource: source, keyDir, followUp } : { signingKey: key, keySource: source, keyDir, followUp };
}
