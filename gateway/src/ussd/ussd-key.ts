import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../../core/shared/errors';
import type { UssdConfig } from '../config/app-config';

/**
 * Africa's Talking cannot send our bearer tokens: its callback URL carries a shared secret instead
 * (`?key=`), compared in constant time. Digests of equal length make the comparison's time
 * independent of the length and content of what was sent.
 */
export function checkUssdKey(config: UssdConfig, provided: unknown): void {
  if (config.secret === undefined) {
    throw new DomainError('not_found', 'ussd-channel-off', 'The USSD channel is not configured here (set KIUNGO_USSD_SECRET).');
  }
  if (typeof provided !== 'string' || provided === '') {
    throw new DomainError('unauthenticated', 'ussd-key-missing', 'The USSD callback URL must carry the channel key: ?key=<KIUNGO_USSD_SECRET>.');
  }
  const expected = createHash('sha256').update(config.secret).digest();
  const given = createHash('sha256').update(provided).digest();
  if (!timingSafeEqual(expected, given)) throw new DomainError('forbidden', 'ussd-key-invalid', 'The USSD channel key is wrong.');
}
