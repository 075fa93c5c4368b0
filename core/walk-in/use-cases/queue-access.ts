import type { CentreRepository } from '../../centres/centre.repository';
import { CENTRE_CODE, type Centre } from '../../centres/domain/centre';
import { DomainError } from '../../shared/errors';

/** Who is acting, as the gateway established it (a token's subject, roles and centre claim). */
export interface Caller {
  subject: string;
  roles: readonly string[];
  centre?: string;
}

export type CentreDirectory = Pick<CentreRepository, 'findByCode'>;

/** An officer works at their own centre only; the other roles allowed on a route are not bound to one. */
export function assertAtCentre(caller: Caller, centreCode: string): void {
  const unbound = caller.roles.some((role) => role !== 'officer' && role !== 'personal-data');
  if (unbound) return;
  if (caller.centre !== centreCode) {
    throw new DomainError('forbidden', 'wrong-centre', `Officers act only at their own centre${caller.centre ? ` (${caller.centre})` : ''}, not at ${centreCode}.`);
  }
}

/** The centre named in the path: 404 when there is none. */
export async function centreNamed(centres: CentreDirectory, code: string): Promise<Centre> {
  const centre = CENTRE_CODE.test(code) ? await centres.findByCode(code) : null;
  if (!centre) throw new DomainError('not_found', 'centre-not-found', `There is no centre ${code.slice(0, 40)}.`);
  return centre;
}
