import { randomInt } from 'node:crypto';

/** Letters and digits that cannot be misread on paper or over the phone (no 0/O, 1/I/L, U). */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A provisional reference the citizen can read, say and type: `NRB-7K4Q-2P` (agency, 6 random
 * symbols: about 7 × 10^8 per agency). Uniqueness is the database's job (a unique index); on a
 * collision the caller draws again.
 */
export function provisionalReference(agencyCode: string): string {
  const symbols = Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${agencyCode.toUpperCase()}-${symbols.slice(0, 4)}-${symbols.slice(4)}`;
}

export const PROVISIONAL_REFERENCE = /^[A-Z][A-Z0-9-]{1,19}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{2}$/;
