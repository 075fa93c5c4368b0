import type { PublishedKey, StatementSigner } from '../signing/signed-statement';
import { TrustedKeys } from '../signing/signed-statement';
import type { SealFolder } from './seal-folder';

export interface ListedKey extends PublishedKey {
  /** The key seals are signed with now; the others signed earlier seals and stay published for ever. */
  active: boolean;
}

/**
 * The seal keys Kiungo publishes (GET /v1/audit/keys) and trusts when it verifies: the current
 * signing key, and every key kept in the seal folder's `keys/` (each key that ever signed a seal
 * is written there, so a rotation never unpublishes the old one). Never the database: whoever
 * could write a key there could sign a rewritten history with it.
 */
export class PublishedKeys {
  constructor(
    private readonly signer: StatementSigner | null,
    private readonly folder: SealFolder,
  ) {}

  list(): ListedKey[] {
    const active = this.signer?.published;
    const keys: ListedKey[] = active ? [{ ...active, active: true }] : [];
    for (const key of this.folder.keys()) if (key.keyId !== active?.keyId) keys.push({ ...key, active: false });
    return keys;
  }

  trusted(): TrustedKeys {
    return new TrustedKeys(this.list().map(({ active: _active, ...key }) => key));
  }
}
