import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../../core/shared/errors';

/**
 * The API speaks JSON only: every other content type is a 415 (Fastify's default text/plain
 * parser is removed). A body that does not parse is a DomainError, so it reaches the problem
 * filter as `malformed-json` rather than a bare 400. Prototype-poisoning keys are refused, as
 * Fastify's default parser does. An empty body with a JSON content type is taken as no body:
 * many clients send the header on body-less POSTs. Bytes that are not UTF-8 (a lone surrogate
 * encoded as ED A0 80, a Latin-1 name) are refused too: decoded leniently they became U+FFFD and
 * were stored in place of what the caller sent.
 */
export function useStrictJsonParser(instance: FastifyInstance): void {
  const parseJson = instance.getDefaultJsonParser('error', 'error');
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const text = decodeUtf8(body);
    if (text === undefined) {
      done(new DomainError('invalid', 'malformed-json', 'The request body is not valid UTF-8.'), undefined);
      return;
    }
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

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(body: Buffer | string): string | undefined {
  if (typeof body === 'string') return body;
  try {
    return UTF8.decode(body);
  } catch {
    return undefined;
  }
}
