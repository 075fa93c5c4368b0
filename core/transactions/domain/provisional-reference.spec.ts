import { PROVISIONAL_REFERENCE, provisionalReference } from './provisional-reference';

describe('provisionalReference', () => {
  it('is the agency code and six unambiguous symbols, e.g. NRB-7K4Q-2P', () => {
    const refs = Array.from({ length: 2000 }, () => provisionalReference('nrb'));
    for (const ref of refs) {
      expect(ref).toMatch(PROVISIONAL_REFERENCE);
      expect(ref).toMatch(/^NRB-[^01ILOU]{4}-[^01ILOU]{2}$/);
    }
    // 30^6 possibilities: 2000 draws practically never collide.
    expect(new Set(refs).size).toBeGreaterThan(1995);
  });
});
