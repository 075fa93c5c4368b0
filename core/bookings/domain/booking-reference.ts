import { randomInt } from 'node:crypto';

/**
 * Booking references are read aloud at counters and typed on feature phones: 8 characters from an
 * alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B), shown as `K7QM-4X3P`.
 * 25^8 ≈ 1.5·10^11 values: a collision is rare and caught by the unique index (then a new one is drawn).
 */
const ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';

export function newBookingReference(): string {
  let text = '';
  for (let i = 0; i < 8; i++) text += ALPHABET[randomInt(ALPHABET.length)];
  return `${text.slice(0, 4)}-${text.slice(4)}`;
}

const REFERENCE = new RegExp(`^[${ALPHABET}]{4}-[${ALPHABET}]{4}$`);

/** Accepts lower case and a missing dash; undefined when it cannot be a reference. */
export function normaliseBookingReference(input: string): string | undefined {
  const compact = input.trim().toUpperCase().replace(/-/g, '');
  if (compact.length !== 8) return undefined;
  const candidate = `${compact.slice(0, 4)}-${compact.slice(4)}`;
  return REFERENCE.test(candidate) ? candidate : undefined;
}
