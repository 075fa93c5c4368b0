import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../../core/shared/errors';

/**
 * The API speaks JSON only: every other content type is a 415 (Fastify's default text/plain
 * parser is removed). A body that does not parse is a DomainError, so it reaches the problem
 * filter as `malformed-json` rather than a bare 400. Prototype-poisoning keys are refused, as
 * Fastify's default parser does. An empty body with a JSON content type is taken as no body:
 * many clients send the header on body-less POSTs.
 */
export function useStrictJsonParser(instance: FastifyInstance): void {
  const parseJson = instance.getDefaultJsonParser('error', 'error');
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, (error, value) => {
      if (error) {
        done(new DomainError('invalid', 'malformed-json', 'The request body is not valid JSON.'), undefined);
        return;
      }
      done(null, value);
    });
  });
}
