import { generateKeyPairSync } from 'node:crypto';
import { keyIdOf, statementDigest, StatementSigner, TrustedKeys, type Statement } from './signed-statement';

describe('signed statements', () => {
  const signerOf = () => StatementSigner.fromText(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());

  it('signs the canonical bytes: the order of fields does not matter, any change of value does', () => {
    const signer = signerOf();
    const signed = signer.sign<Statement & Record<string, unknown>>({ type: 'kiungo.test.v1', b: 2, a: { y: 1, x: [1, 2] } });
    const trusted = new TrustedKeys([signer.published]);
    const reordered: Statement & Record<string, unknown> = { a: { x: [1, 2], y: 1 }, type: 'kiungo.test.v1', b: 2 };
    expect(trusted.check({ ...signed, statement: reordered })).toBe('valid');
    expect(trusted.check({ ...signed, statement: { ...signed.statement, b: 3 } as Statement })).toBe('bad-signature');
    expect(trusted.check({ ...signed, statement: { ...signed.statement, type: 'kiungo.receipt.v1' } })).toBe('bad-signature');
    expect(statementDigest(signed.statement)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('knows a key only by the id derived from it; another key with the same claimed id does not pass', () => {
    const [one, two] = [signerOf(), signerOf()];
    expect(one.keyId).toMatch(/^ed25519-[0-9a-f]{16}$/);
    expect(one.keyId).toBe(keyIdOf(one.publicKey));
    expect(one.keyId).not.toBe(two.keyId);
    const trusted = new TrustedKeys([one.published]);
    expect(trusted.check(two.sign({ type: 'kiungo.test.v1' }))).toBe('unknown-key');
    expect(trusted.check({ ...two.sign({ type: 'kiungo.test.v1' }), keyId: one.keyId })).toBe('bad-signature');
    expect(() => new TrustedKeys([{ ...two.published, keyId: one.keyId }])).toThrow(/does not match/);
  });

  it('reads a key from PKCS#8 PEM or base64 DER, and refuses other kinds of key', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const der = (privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64');
    expect(StatementSigner.fromText(der).keyId).toBe(StatementSigner.fromText(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()).keyId);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => StatementSigner.fromText(ec)).toThrow(/not Ed25519/);
  });
});
