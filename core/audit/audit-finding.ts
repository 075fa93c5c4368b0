import type { ChainBreakReason } from './chain-walk';

/** Why verify objects to a seal. */
export type SealFindingReason =
  /** No trusted public key has this key id. */
  | 'seal_key_unknown'
  /** The signature does not hold for the statement: the seal was edited or forged. */
  | 'seal_signature_invalid'
  /** The seal does not name the digest of the seal before it. */
  | 'seal_chain_broken'
  /** A seal number is absent from the database (the seal table was cut), or a seal held outside is not there. */
  | 'seal_missing'
  /** A seal held outside differs from the database's seal of the same number: the seal table was rewritten. */
  | 'seal_mismatch'
  /** A file in the seal folder is not a seal. */
  | 'seal_unreadable';

/** Why verify objects to a business row (transactions: its state, reference, submission facts). */
export type RowFindingReason =
  | 'state_mismatch'
  | 'agency_ref_mismatch'
  | 'received_mismatch'
  | 'illegal_transition'
  | 'history_not_started'
  /** A row whose events are all gone. */
  | 'events_missing'
  /** Events of an entity whose row is gone (or was never there: a forged event). */
  | 'row_missing';

export type FindingReason = ChainBreakReason | SealFindingReason | RowFindingReason;

/** One thing verify found wrong, named by chain, position, entity and reason (each field when it applies). */
export interface AuditFinding {
  reason: FindingReason;
  shard?: number;
  seq?: number;
  entityType?: string;
  entityId?: string;
  sealNo?: number;
  /** A short explanation; never personal data. */
  detail?: string;
}

/** Checks business rows against their audit events (one per kind of row). */
export interface BusinessRowCheck {
  /** The table checked, as it appears in the report. */
  readonly name: string;
  run(report: (finding: AuditFinding) => void): Promise<{ rowsChecked: number }>;
}
