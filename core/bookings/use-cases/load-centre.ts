import type { CentreCache } from '../../centres/centre-cache';
import type { VersionedCentre } from '../../centres/centre.repository';
import { CENTRE_CODE, type Centre } from '../../centres/domain/centre';
import { DomainError } from '../../shared/errors';
import { CentreChanged } from '../booking.repository';

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

/**
 * Tries of one booking or move against a centre that keeps changing under it: each refusal means a
 * change committed since the centre was read, so past the first (a stale copy) it takes changes in
 * quick succession; then the caller is told to try again.
 */
export const CENTRE_TRIES = 3;

/**
 * Decides and writes with `first`, the centre as CentreCache keeps it, by `write`, whose statement
 * checks the version (centre_version_holds, migration 0133) and throws CentreChanged, having written
 * nothing, when it moved: then the centre is read again and `write` decides again on it, as on a
 * first try. A rule of the kept copy that refuses the request (`invalid`, e.g. a holiday since
 * removed) is confirmed the same way: it stands when the centre read again is of that version. After
 * CENTRE_TRIES refusals, 409 `centre-changed`. `field`: as for loadCentre.
 */
export async function onCurrentCentre<T>(
  centres: CentreCache,
  first: VersionedCentre,
  field: string | undefined,
  write: (current: VersionedCentre) => Promise<T>,
): Promise<T> {
  let current = first;
  let readHere = false; // read again by this call: its rules' refusals need no confirming
  for (let tries = 1; ; tries++) {
    try {
      return await write(current);
    } catch (error) {
      const refused = error instanceof CentreChanged;
      if (!refused && (readHere || !(error instanceof DomainError && error.category === 'invalid'))) throw error;
      const code = current.centre.code;
      const fresh = await centres.refresh(current);
      if (!fresh) throw centreUnknown(code, field);
      if (!refused && fresh.version === current.version) throw error;
      if (tries === CENTRE_TRIES) {
        throw new DomainError('conflict', 'centre-changed', `Centre ${code} changed while the booking was being made or moved; try again.`);
      }
      current = fresh;
      readHere = true;
    }
  }
}
