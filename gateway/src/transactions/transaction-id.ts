import { DomainError } from '../../../core/shared/errors';
import { isUuid } from '../../../core/shared/uuid';

/** The `{id}` of a transaction route, checked before it reaches the database; 422 naming the path field. */
export function transactionId(id: string): string {
  if (!isUuid(id)) {
    throw new DomainError('invalid', 'validation-failed', 'The transaction id is not valid.', {
      errors: [{ field: 'path:id', message: 'must be a transaction id (UUID)' }],
    });
  }
  return id.toLowerCase();
}
