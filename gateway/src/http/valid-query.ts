/**
 * The query string's counterpart of valid-body.ts: `@ValidQuery('audit-transaction-query') query:
 * AuditTransactionQuery` validates the whole query object against the message schema (every value
 * a string, as it came in the URL; unknown parameters refused) before the handler runs, and
 * documents each of the schema's properties as a query parameter. A query that fails is a 422
 * `validation-failed` naming each parameter (`query:limit`), never the value given.
 */
import { Query, type PipeTransform } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { validateMessage, type MessageName } from '../../../contracts/src';
import { DomainError } from '../../../core/shared/errors';
import { messageQueryParameters } from '../docs/message-schemas';

export class MessageQueryPipe implements PipeTransform {
  constructor(readonly message: MessageName) {}

  transform(value: unknown): unknown {
    // Fastify's parser gives an object without a prototype; the schema wants a plain one.
    const query = { ...((value ?? {}) as Record<string, unknown>) };
    const errors = validateMessage(this.message, query).map((error) => ({ ...error, field: `query:${error.field.replace(/^\//, '')}` }));
    if (errors.length > 0) throw new DomainError('invalid', 'validation-failed', 'The query is not valid; see `errors`.', { errors });
    return query;
  }
}

export function ValidQuery(message: MessageName): ParameterDecorator {
  return (target, key, index) => {
    Query(new MessageQueryPipe(message))(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (!descriptor) return;
    for (const parameter of messageQueryParameters(message)) ApiQuery(parameter)(target, key, descriptor);
  };
}
