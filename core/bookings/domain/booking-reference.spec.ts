import { newBookingReference, normaliseBookingReference } from './booking-reference';

describe('booking references', () => {
  it('are 8 unambiguous characters shown as two groups of four', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const reference = newBookingReference();
      expect(reference).toMatch(/^[ACDEFGHJKMNPQRTUVWXY34679]{4}-[ACDEFGHJKMNPQRTUVWXY34679]{4}$/);
      seen.add(reference);
    }
    expect(seen.size).toBe(500);
  });

  it('are accepted in lower case and without the dash, and refused when they cannot be one', () => {
    expect(normaliseBookingReference(' k7qm4x3p ')).toBe('K7QM-4X3P');
    expect(normaliseBookingReference('K7QM-4X3P')).toBe('K7QM-4X3P');
    expect(normaliseBookingReference('K0QM-4X3P')).toBeUndefined();
    expect(normaliseBookingReference('K7QM-4X3')).toBeUndefined();
    expect(normaliseBookingReference("'; DROP TABLE")).toBeUndefined();
  });
});
