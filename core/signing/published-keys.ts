import { readKeyFolder, publishToFolder } from './key-folder';
import type { PublishedKey, StatementSigner } from './signed-statement';
import { TrustedKeys } from './signed-statement';

export interface ListedKey extends PublishedKey {
  /** The key that signs now; the others signed earlier statements and stay published for ever. */
  active: boolean;
}

/** Where the public halves of the keys that ever signed are kept (the seal folder's `keys/`, the receipt key folder). */
export interface KeyShelf {
  keys(): PublishedKey[];
}

/** A plain folder of `<keyId>.pem` files as a shelf (key-folder.ts). */
export class KeyFolder implements KeyShelf {
  constructor(readonly path: string) {}

  publish(key: PublishedKey): void {
    publishToFolder(this.path, key);
  }

  keys(): PublishedKey[] {
    return readKeyFolder(this.path);
  }
}

/**
 * The keys Kiungo publishes for one kind of statement (GET /v1/audit/keys for the seals, GET
 * /v1/receipts/keys for the receipts) and trusts when it verifies: the current signing key, and
 * every key kept on the shelf (each key that ever signed is written there, so a rotation never
 * unpublishes the old one). Never the database: whoever could write a key there could sign with it.
 */
export class PublishedKeys {
  constructor(
    private readonly signer: StatementSigner | null,
    private readonly shelf: KeyShelf,
  ) {}

  list(): ListedKey[] {
    const active = this.signer?.published;
    const keys: ListedKey[] = active ? [{ ...active, active: true }] : [];
    for (const key of this.shelf.keys()) if (key.keyId !== active?.keyId) keys.push({ ...key, active: false });
    return keys;
  }

  trusted(): TrustedKeys {
    return new TrustedKeys(this.list().map(({ active: _active, ...key }) => key));
  }
}
