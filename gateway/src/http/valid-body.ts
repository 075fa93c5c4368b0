/**
 * The one place a request body is checked: `@ValidBody('agency-mode-change') change: AgencyModeChange`
 * validates the body against contracts/schemas/agency-mode-change.v1.json (the contracts' compiled
 * validator) before the handler runs, and documents that same schema as the operation's request
 * body. A body that fails is a 422 `validation-failed` problem naming every failing field (JSON
 * pointers, at most MAX_FIELD_ERRORS, never the rejected values); the handler and the use case
 * get a value of the message's type. Rules no schema can state stay in the domain.
 */
import { Body, type PipeTransform } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { validateMessage, type MessageName } from '../../../contracts/src';
import { DomainError } from '../../../core/shared/errors';
import { messageRef } from '../docs/message-schemas';

export class MessageBodyPipe implements PipeTransform {
  constructor(
    readonly message: MessageName,
    /** What an absent body stands for (`{}` for bodies whose every field is optional); absent is refused otherwise. */
    private readonly whenAbsent?: Readonly<Record<string, never>>,
  ) {}

  transform(value: unknown): unknown {
    const body = value === undefined && this.whenAbsent ? { ...this.whenAbsent } : value;
    const errors = validateMessage(this.message, body);
    if (errors.length > 0) throw new DomainError('invalid', 'validation-failed', 'The request body is not valid; see `errors`.', { errors });
    return body;
  }
}

export interface ValidBodyOptions {
  /** The body may be left out and then counts as `{}` (every field of the message is optional). */
  optional?: boolean;
  description?: string;
}

export function ValidBody(message: MessageName, options: ValidBodyOptions = {}): ParameterDecorator {
  return (target, key, index) => {
    Body(new MessageBodyPipe(message, options.optional ? {} : undefined))(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (!descriptor) return;
    // The media type is JSON unless @ApiConsumes says otherwise (the USSD callback is a form).
    ApiBody({ schema: messageRef(message), required: !options.optional, description: options.description })(target, key, descriptor);
  };
}
