import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { maskIdNumber, maskPhone, PersonalDataVault } from './personal-data';

describe('PersonalDataVault', () => {
  const vault = new PersonalDataVault(randomBytes(32));

  it('seals so that the plain value does not appear, and opens it again', () => {
    const citizen = { idNumber: '12345678', phone: '+254712345678' };
    const sealed = vault.seal(citizen);
    expect(sealed.toString('latin1')).not.toContain('12345678');
    expect(vault.open(sealed)).toEqual(citizen);
  });

  it('seals every value under its own IV, across the batches the IVs are drawn in', () => {
    const ivs = new Set(Array.from({ length: 600 }, () => vault.seal({ a: 1 }).subarray(1, 13).toString('hex')));
    expect(ivs.size).toBe(600);
  });

  it('opens what was sealed before the keys were KeyObjects (the stored format is unchanged)', () => {
    const master = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'kiungo:seal:v1', 32)), iv);
    const body = Buffer.concat([cipher.update(JSON.stringify({ idNumber: '12345678' }), 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
    expect(new PersonalDataVault(master).open(sealed)).toEqual({ idNumber: '12345678' });
  });

  it('refuses a sealed value that was altered', () => {
    const sealed = vault.seal({ idNumber: '12345678' });
    sealed[sealed.length - 1] ^= 0x01;
    expect(() => vault.open(sealed)).toThrow();
  });

  it('cannot open what another key sealed', () => {
    const other = new PersonalDataVault(randomBytes(32));
    expect(() => other.open(vault.seal({ a: 1 }))).toThrow();
  });

  it('gives the same look-up hash for the same ID and a different one per key', () => {
    expect(vault.lookupHash('12345678')).toBe(vault.lookupHash('12345678'));
    expect(vault.lookupHash('12345678')).not.toBe(vault.lookupHash('12345679'));
    expect(new PersonalDataVault(randomBytes(32)).lookupHash('12345678')).not.toBe(vault.lookupHash('12345678'));
  });

  it('rejects a key of the wrong size', () => {
    expect(() => new PersonalDataVault(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('masks ID and phone numbers', () => {
    expect(maskIdNumber('12345678')).toBe('****5678');
    expect(maskPhone('+254712345678')).toBe('+2547******78');
  });
});
