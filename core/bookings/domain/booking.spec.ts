import { randomBytes } from 'node:crypto';
import { PersonalDataVault } from '../../shared/personal-data';
import { kenyanMobile, normalisePhone, phoneLookupHash } from './booking';

describe('a phone number', () => {
  const vault = new PersonalDataVault(randomBytes(32));

  it('has one spelling: local, international and E.164 forms are the same number', () => {
    expect(normalisePhone('0712 345 678')).toBe('+254712345678');
    expect(normalisePhone('254712345678')).toBe('+254712345678');
    expect(normalisePhone('+254 712-345-678')).toBe('+254712345678');
  });

  it('has one keyed hash whatever its spelling (what rate limits, tickets, notices and erasure find it by)', () => {
    const hash = phoneLookupHash(vault, normalisePhone('+254712345678'));
    expect(phoneLookupHash(vault, normalisePhone('0712 345 678'))).toBe(hash);
    expect(phoneLookupHash(vault, normalisePhone('254712345678'))).toBe(hash);
    expect(hash).toBe(vault.lookupHash('+254712345678'));
    expect(phoneLookupHash(vault, normalisePhone('0712 345 679'))).not.toBe(hash);
  });

  it('is a Kenyan mobile, spelt once, or none (what USSD and SMS callers must have)', () => {
    expect(kenyanMobile('0712 345 678')).toBe('+254712345678');
    expect(kenyanMobile('+254 112-345-678')).toBe('+254112345678');
    expect(kenyanMobile('+255712345678')).toBeNull();
    expect(kenyanMobile('0812345678')).toBeNull();
  });
});
