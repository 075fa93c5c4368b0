import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

export const USSD_ROUTE = '/v1/channels/ussd';
/** Africa's Talking's incoming-SMS callback (gateway/src/follow-up). */
export const SMS_ROUTE = '/v1/channels/sms';
const FORM_ROUTES: readonly string[] = [USSD_ROUTE, SMS_ROUTE];

/**
 * Africa's Talking posts USSD and incoming-SMS callbacks as application/x-www-form-urlencoded. The
 * API otherwise speaks JSON only, so this parser takes form bodies on those two routes alone; on any other route
 * the content type stays a 415, as before. Repeated fields keep their first value.
 */
export function useUssdFormParser(instance: FastifyInstance): void {
  instance.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    if (!FORM_ROUTES.includes(request.routeOptions.url ?? '')) {
      done(new UnsupportedMediaTypeException(`Content-Type application/x-www-form-urlencoded is accepted only by ${FORM_ROUTES.join(' and ')}; send application/json.`), undefined);
      return;
    }
    const fields: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))) {
      if (!(key in fields)) fields[key] = value;
    }
    done(null, fields);
  });
}
