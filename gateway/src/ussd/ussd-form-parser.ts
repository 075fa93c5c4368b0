import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

export const USSD_ROUTE = '/v1/channels/ussd';

/**
 * Africa's Talking posts USSD callbacks as application/x-www-form-urlencoded. The API otherwise
 * speaks JSON only, so this parser takes form bodies on the USSD route alone; on any other route
 * the content type stays a 415, as before. Repeated fields keep their first value.
 */
export function useUssdFormParser(instance: FastifyInstance): void {
  instance.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    if (request.routeOptions.url !== USSD_ROUTE) {
      done(new UnsupportedMediaTypeException(`Content-Type application/x-www-form-urlencoded is accepted only by ${USSD_ROUTE}; send application/json.`), undefined);
      return;
    }
    const fields: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))) {
      if (!(key in fields)) fields[key] = value;
    }
    done(null, fields);
  });
}
