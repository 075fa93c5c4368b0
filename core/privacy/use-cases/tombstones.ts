import { ERASED, type PersonalDataVault } from '../../shared/personal-data';
import type { Tombstones } from '../personal-data-store';

/** Sealed like real data, so every reader of the row keeps working; they name no one. */
export function tombstones(vault: PersonalDataVault): Tombstones {
  return {
    citizen: vault.seal({ idNumber: ERASED, phone: ERASED }),
    payload: vault.seal({}),
    phone: vault.seal(ERASED),
    note: ERASED,
  };
}
