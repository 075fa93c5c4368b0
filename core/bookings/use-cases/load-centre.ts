import { CENTRE_CODE, type Centre } from '../../centres/domain/centre';
import { DomainError } from '../../shared/errors';

/**
 * A centre named in the path (404 when unknown) or in a body field (422 naming the field): the
 * path names a resource, the body names a value. From the repository, or from a CentreCache (a
 * VersionedCentre then).
 */
export async function loadCentre<T = Centre>(centres: { findByCode(code: string): Promise<T | null> }, code: string, field?: string): Promise<T> {
  const centre = CENTRE_CODE.test(code) ? await centres.findByCode(code) : null;
  if (centre) return centre;
  throw centreUnknown(code, field);
}

/** loadCentre's refusal: 422 naming `field` when the code came in a body field, else 404. */
export function centreUnknown(code: string, field?: string): DomainError {
  if (field) {
    return new DomainError('invalid', 'centre-unknown', `There is no centre ${code}.`, { errors: [{ field, message: `unknown centre ${code}` }] });
  }
  return new DomainError('not_found', 'centre-not-found', `There is no centre ${code}.`);
}
