import { generateKeyPairSync, verify, createPublicKey } from 'node:crypto';
import { StatementSigner, TrustedKeys } from '../signing/signed-statement';
import { decodeReceipt, encodeReceipt, receiptStatement, type ReceiptFacts } from './receipt';

const facts: ReceiptFacts = {
  transactionId: '0e4ac851-346e-4ebf-91cb-1d27eccdf9cf',
  provisionalRef: 'NRB-7K4Q-2P',
  serviceCode: 'id-card-replacement',
  centre: 'NRB-GPO',
  receivedAt: new Date('2026-03-02T08:00:00.123Z'),
  idNumberMasked: '****5678',
};

describe('receipts', () => {
  const signer = StatementSigner.fromText(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const trusted = new TrustedKeys([signer.published]);
  const receipt = encodeReceipt(signer.sign(receiptStatement(facts)));
  const check = (text: string) => {
    const signed = decodeReceipt(text);
    return signed ? trusted.check(signed) : 'malformed';
  };

  it('reads back what was signed, short enough for a printed QR code', () => {
    expect(receipt).toMatch(/^KR1\.[0-9a-f]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    expect(receipt.length).toBeLessThan(400);
    expect(check(receipt)).toBe('valid');
    expect(decodeReceipt(receipt)?.statement).toEqual({
      type: 'kiungo.receipt.v1',
      tx: facts.transactionId,
      ref: 'NRB-7K4Q-2P',
      svc: 'id-card-replacement',
      ctr: 'NRB-GPO',
      at: '2026-03-02T08:00:00Z',
      id: '****5678',
    });
    expect(check(`  https://kiungo.example/verify?r=${receipt}\n`)).toBe('valid');
  });

  it('refuses the receipt with any one character changed, wherever it is', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    for (let i = 0; i < receipt.length; i++) {
      const other = alphabet[(alphabet.indexOf(receipt[i]) + 1) % alphabet.length];
      const changed = receipt.slice(0, i) + other + receipt.slice(i + 1);
      expect([i, check(changed)]).toEqual([i, expect.stringMatching(/^(malformed|bad-signature|unknown-key)$/)]);
    }
  });

  it('refuses a statement re-encoded with another field order or an extra field, and another key', () => {
    const [, hex, payload, signature] = receipt.split('.');
    const json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const reordered = Buffer.from(JSON.stringify({ tx: json.tx, ...json }), 'utf8').toString('base64url');
    expect(check(['KR1', hex, reordered, signature].join('.'))).toBe('malformed');
    const extra = Buffer.from(JSON.stringify({ ...json, zz: 1 }), 'utf8').toString('base64url');
    expect(check(['KR1', hex, extra, signature].join('.'))).toBe('malformed');
    const stranger = StatementSigner.fromText(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(check(encodeReceipt(stranger.sign(receiptStatement(facts))))).toBe('unknown-key');
  });

  it('verifies offline with nothing but the published public key (README "Receipts")', () => {
    const [, , payload, signature] = receipt.split('.');
    const publicKey = createPublicKey(signer.published.publicKeyPem);
    expect(verify(null, Buffer.from(payload, 'base64url'), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
  });
});
