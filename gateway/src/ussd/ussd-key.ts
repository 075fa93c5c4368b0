import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../../core/shared/errors';
import { APP_CONFIG, type AppConfig, type UssdConfig } from '../config/app-config';

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

/** The key is checked before anything else of the request (a guard runs before the body is validated). */
@Injectable()
export class UssdKeyGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const query = context.switchToHttp().getRequest<FastifyRequest>().query as Record<string, unknown> | undefined;
    checkUssdKey(this.config.ussd, query?.key);
    return true;
  }
}
