import type { CentreRepository } from '../../centres/centre.repository';
import { CENTRE_CODE, type Centre } from '../../centres/domain/centre';
import { DomainError } from '../../shared/errors';

export type CentreDirectory = Pick<CentreRepository, 'findByCode'>;

/** The centre named in the path: 404 when there is none. */
export async function centreNamed(centres: CentreDirectory, code: string): Promise<Centre> {
  const centre = CENTRE_CODE.test(code) ? await centres.findByCode(code) : null;
  if (!centre) throw new DomainError('not_found', 'centre-not-found', `There is no centre ${code.slice(0, 40)}.`);
  return centre;
}
