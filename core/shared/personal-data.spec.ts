import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ERASED, maskIdNumber, maskPhone, PersonalDataVault } from './personal-data';

describe('PersonalDataVault', () => {
  const vault = new PersonalDataVault(randomBytes(32));

  it('seals so that the plain value does not appear, and opens it again', () => {
    const citizen = { idNumber: '12345678', phone: '+254712345678' };
    const sealed = vault.seal(citizen);
    expect(sealed.toString('latin1')).not.toContain('12345678');
    expect(vault.open(sealed)).toEqual(citizen);
  });

  it('seals every value under its own IV, across the batches the IVs are drawn in', () => {
    const ivs = new Set(Array.from({ length: 800 }, () => vault.seal({ a: 1 }).subarray(1, 13).toString('hex')));
    expect(ivs.size).toBe(800);
  });

  it('opens what was sealed before the keys were KeyObjects (the stored format is unchanged)', () => {
    const master = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'kiungo:seal:v1', 32)), iv);
    const body = Buffer.concat([cipher.update(JSON.stringify({ idNumber: '12345678' }), 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
    expect(new PersonalDataVault(master).open(sealed)).toEqual({ idNumber: '12345678' });
  });

  it('lays a sealed value out as version, IV, tag and ciphertext of its UTF-8 JSON, opened by any AES-256-GCM', () => {
    const master = randomBytes(32);
    const value = { idNumber: '12345678', name: 'Wanjikũ “Ciku”', n: [1, 2] };
    const sealed = new PersonalDataVault(master).seal(value);
    expect(sealed.length).toBe(1 + 12 + 16 + Buffer.byteLength(JSON.stringify(value)));
    expect(sealed[0]).toBe(1);
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'kiungo:seal:v1', 32)), sealed.subarray(1, 13));
    decipher.setAuthTag(sealed.subarray(13, 29));
    expect(Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8')).toBe(JSON.stringify(value));
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

  describe('under a record\'s own data key (crypto-shredding)', () => {
    const citizen = { idNumber: '12345678', phone: '+254712345678' };

    it('seals as version 2 and opens only with the key as stored', () => {
      const key = vault.newDataKey();
      const sealed = vault.seal(citizen, key);
      expect(sealed[0]).toBe(2);
      expect(key.sealed.toString('latin1')).not.toContain(key.key.export().toString('latin1'));
      expect(vault.open(sealed, key.sealed)).toEqual(citizen);
      expect(vault.openCitizen({ citizenSealed: sealed, dataKeySealed: key.sealed })).toEqual(citizen);
      expect(vault.open(vault.seal({ a: 1 }, key), key.sealed)).toEqual({ a: 1 });
    });

    it('draws a different key per record, across the batches the randomness is drawn in', () => {
      const keys = new Set(Array.from({ length: 300 }, () => vault.newDataKey().key.export().toString('hex')));
      expect(keys.size).toBe(300);
    });

    it('still opens version 1 (sealed under the configured key), with or without a data key', () => {
      const sealed = vault.seal(citizen);
      expect(sealed[0]).toBe(1);
      expect(vault.open(sealed)).toEqual(citizen);
      expect(vault.openCitizen({ citizenSealed: sealed, dataKeySealed: null })).toEqual(citizen);
    });

    it('fails cleanly with another record\'s key, a key of another vault, an altered key, or none', () => {
      const sealed = vault.seal(citizen, vault.newDataKey());
      const altered = vault.newDataKey().sealed;
      altered[altered.length - 1] ^= 0x01;
      const otherVault = new PersonalDataVault(randomBytes(32));
      for (const key of [vault.newDataKey().sealed, otherVault.newDataKey().sealed, altered]) {
        expect(() => vault.open(sealed, key)).toThrow(/does not open with this key/);
      }
      expect(() => vault.open(sealed)).toThrow(/data key that is not there/);
      expect(() => otherVault.open(sealed, vault.newDataKey().sealed)).toThrow(/does not open with this key/);
    });

    it('reads a record whose key was destroyed as an erased one, never as an error', () => {
      const key = vault.newDataKey();
      const record = { citizenSealed: vault.seal(citizen, key), payloadSealed: vault.seal({ a: 1 }, key), dataKeySealed: null };
      expect(vault.openCitizen(record)).toEqual({ idNumber: ERASED, phone: ERASED });
      // A payload is only ever sent: it is opened by open(), which throws (AgencyCall then sends nothing).
      expect(() => vault.open(record.payloadSealed, record.dataKeySealed)).toThrow(/data key that is not there/);
    });
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
