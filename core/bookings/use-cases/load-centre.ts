import type { CentreRepository } from '../../centres/centre.repository';
import { CENTRE_CODE, type Centre } from '../../centres/domain/centre';
import { DomainError } from '../../shared/errors';

/**
 * A centre named in the path (404 when unknown) or in a body field (422 naming the field): the
 * path names a resource, the body names a value.
 */
export async function loadCentre(centres: CentreRepository, code: string, field?: string): Promise<Centre> {
  const centre = CENTRE_CODE.test(code) ? await centres.findByCode(code) : null;
  if (centre) return centre;
  if (field) {
    throw new DomainError('invalid', 'centre-unknown', `There is no centre ${code}.`, { errors: [{ field, message: `unknown centre ${code}` }] });
  }
  throw new DomainError('not_found', 'centre-not-found', `There is no centre ${code}.`);
}
