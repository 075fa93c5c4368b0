import { phoneLookupHash, type Phone } from '../bookings/domain/booking';
import { DEFAULT_TIME_ZONE } from '../centres/domain/centre';
import { localDate } from '../centres/domain/local-time';
import type { Clock } from '../shared/clock';
import type { PersonalDataVault } from '../shared/personal-data';
import { applicationProgress, type ApplicationProgress } from '../transactions/domain/application-progress';
import type { TransactionRepository } from '../transactions/transaction.repository';
import type { PhoneRateLimit } from './phone-rate-limit';

export type FollowAnswer =
  | { kind: 'status'; reference: string; progress: ApplicationProgress }
  | { kind: 'unknown'; reference: string }
  | { kind: 'not-a-reference' }
  | { kind: 'limited'; retryAt: Date };

/** The scope of the per-phone limit: USSD and SMS look-ups count together. */
export const FOLLOW_SCOPE = 'application-status';

/** What a reference may look like once normalised: a provisional one (`NRB-7K4Q-2P`) or an agency's. */
const REFERENCE = /^[A-Z0-9][A-Z0-9/._-]{2,63}$/;

/**
 * "Where is my application?" from any phone (issue 14.4): a provisional or final reference in, its
 * status out, and nothing else. A reference reveals only its own status (no name, no ID number, no
 * service details, no other application of the citizen); a reference two transactions share
 * (agencies' own numbering may collide) answers as unknown; and every look-up, found or not,
 * counts against the phone's limit, so that guessing references from one phone stops quickly.
 */
export class FollowApplication {
  constructor(
    private readonly transactions: TransactionRepository,
    private readonly limit: PhoneRateLimit,
    private readonly vault: PersonalDataVault,
    private readonly clock: Clock,
  ) {}

  /** `phone` is the caller's number as the network gave it, spelt once by the channel (kenyanMobile). */
  async execute(typed: string, phone: Phone): Promise<FollowAnswer> {
    const now = this.clock.now();
    const verdict = await this.limit.hit(FOLLOW_SCOPE, phoneLookupHash(this.vault, phone), now);
    if (!verdict.allowed) return { kind: 'limited', retryAt: verdict.retryAt };
    const reference = typed.trim().toUpperCase().replace(/\s+/g, '');
    if (!REFERENCE.test(reference)) return { kind: 'not-a-reference' };
    for (const candidate of spellings(reference)) {
      const found = await this.transactions.findByReference(candidate, 2);
      if (found.length === 1) return { kind: 'status', reference: candidate, progress: applicationProgress(found[0], localDate(now, DEFAULT_TIME_ZONE)) };
      if (found.length > 1) break;
    }
    return { kind: 'unknown', reference };
  }
}

/**
 * As typed, and a provisional reference typed without its dashes (`NRB7K4Q2P`, what a keypad
 * makes easy) with them put back.
 */
function spellings(reference: string): string[] {
  if (reference.includes('-') || reference.length < 8) return [reference];
  return [reference, `${reference.slice(0, -6)}-${reference.slice(-6, -2)}-${reference.slice(-2)}`];
}
