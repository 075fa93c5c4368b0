import { createHash, type Hash } from 'node:crypto';
import type { PublishedKey } from '../signing/signed-statement';
import { TrustedKeys } from '../signing/signed-statement';
import { chainHash, eventContent, genesisHash, publicEvent, type AuditEvent, type PublicAuditEvent } from './audit-event';
import { parseStoredJson } from './json-text';
import { sealDigest, type Seal } from './seal';

/**
 * Evidence archives, after X-Road's message-log archives: one self-contained JSON Lines file per
 * span between two seals, with the events of every chain in that span, every seal of it (the one
 * it starts from included) and the public keys that signed them, closed by a line holding the
 * sha256 of everything before it. Each archive names the digest of the one before, so a series of
 * archives is a chain too. `verifyArchive` needs nothing but the file: no database, no server.
 *
 *   {"kind":"header", "format":"kiungo.audit.archive.v1", "fromSeal", "toSeal", "previousArchive", "createdAt", "keys":[…]}
 *   {"kind":"seal", "seal":{…}}                       (fromSeal … toSeal, in order)
 *   {"kind":"event", "chain", "position", "entityType", "entityId", "type", "actor", "at", "data", "prevHash", "hash"}   (chain by chain, in order)
 *   {"kind":"end", "events", "seals", "digest"}       (digest: sha256 hex of every byte before this line)
 */
export const ARCHIVE_FORMAT = 'kiungo.audit.archive.v1';

export interface ArchiveHeader {
  kind: 'header';
  format: typeof ARCHIVE_FORMAT;
  /** The seal the span starts after (its heads are where each chain picks up); null: from each chain's genesis. */
  fromSeal: number | null;
  toSeal: number;
  /** The `digest` of the archive before this one, when there is one. */
  previousArchive: string | null;
  createdAt: string;
  keys: PublishedKey[];
}

interface ArchiveEventLine extends PublicAuditEvent {
  kind: 'event';
}

interface ArchiveEnd {
  kind: 'end';
  events: number;
  seals: number;
  digest: string;
}

type ArchiveLine = ArchiveHeader | { kind: 'seal'; seal: Seal } | ArchiveEventLine | ArchiveEnd;

/** File name: the span and the first 16 hex digits of the closing digest. */
export function archiveFileName(header: Pick<ArchiveHeader, 'fromSeal' | 'toSeal'>, digest: string): string {
  return `kiungo-audit-${String(header.fromSeal ?? 0).padStart(10, '0')}-${String(header.toSeal).padStart(10, '0')}-${digest.slice(0, 16)}.jsonl`;
}

/** Builds the archive's lines and its running digest; the caller writes them where it likes. */
export class ArchiveWriter {
  private readonly hash: Hash = createHash('sha256');
  private events = 0;
  private seals = 0;

  line(value: ArchiveLine): string {
    const text = `${JSON.stringify(value)}\n`;
    this.hash.update(text, 'utf8');
    if (value.kind === 'event') this.events += 1;
    if (value.kind === 'seal') this.seals += 1;
    return text;
  }

  header(header: Omit<ArchiveHeader, 'kind' | 'format'>): string {
    return this.line({ kind: 'header', format: ARCHIVE_FORMAT, ...header });
  }

  seal(seal: Seal): string {
    return this.line({ kind: 'seal', seal });
  }

  event(event: AuditEvent): string {
    return this.line({ kind: 'event', ...publicEvent(event) });
  }

  /** The closing line; its digest covers every line before it. */
  end(): { text: string; digest: string } {
    const digest = this.hash.digest('hex');
    return { text: `${JSON.stringify({ kind: 'end', events: this.events, seals: this.seals, digest } satisfies ArchiveEnd)}\n`, digest };
  }
}

export interface ArchiveFinding {
  reason:
    | 'archive_malformed'
    | 'archive_digest_mismatch'
    | 'archive_not_closed'
    | 'archive_previous_mismatch'
    | 'seal_key_unknown'
    | 'seal_signature_invalid'
    | 'seal_chain_broken'
    | 'sequence_gap'
    | 'prev_hash_mismatch'
    | 'hash_mismatch'
    | 'sealed_hash_mismatch'
    | 'sealed_event_missing';
  line?: number;
  chain?: number;
  position?: number;
  entityType?: string;
  entityId?: string;
  sealNo?: number;
  detail?: string;
}

export interface ArchiveVerification {
  ok: boolean;
  findings: ArchiveFinding[];
  header: ArchiveHeader | null;
  digest: string | null;
  events: number;
  seals: number;
  /** Keys the archive carried that the verifier was not given to trust (compare them with the published ones). */
  untrustedKeys: string[];
}

/**
 * Verifies an archive from its lines alone. `trusted`: public keys the auditor holds (published
 * ones); without them, the archive's own keys are used and listed in `untrustedKeys`, since a
 * forger could ship keys of his own. `previous`: the closing digest of the archive before it.
 */
export async function verifyArchive(lines: AsyncIterable<string>, options: { trusted?: PublishedKey[]; previousDigest?: string } = {}): Promise<ArchiveVerification> {
  const findings: ArchiveFinding[] = [];
  const hash = createHash('sha256');
  let header: ArchiveHeader | null = null;
  let end: ArchiveEnd | null = null;
  let trusted: TrustedKeys | undefined;
  let untrustedKeys: string[] = [];
  const seals: Seal[] = [];
  /** chain → position → sealed hashes, filled as the seals come (they precede the events). */
  const sealed = new Map<number, Map<number, Array<{ hash: string; sealNo: number }>>>();
  /** chain → where it stands: last position and hash. */
  const chains = new Map<number, { seq: number; hash: Buffer }>();
  const seen = new Set<string>();
  let events = 0;
  let n = 0;

  for await (const raw of lines) {
    n += 1;
    if (raw === '') continue;
    if (end) {
      findings.push({ reason: 'archive_malformed', line: n, detail: 'a line after the closing line' });
      continue;
    }
    let line: ArchiveLine;
    try {
      line = parseStoredJson(raw) as ArchiveLine;
    } catch {
      findings.push({ reason: 'archive_malformed', line: n, detail: 'not JSON' });
      hash.update(`${raw}\n`, 'utf8');
      continue;
    }
    if (line.kind === 'end') {
      end = line;
      continue;
    }
    hash.update(`${raw}\n`, 'utf8');
    if (n === 1) {
      if (line.kind !== 'header' || line.format !== ARCHIVE_FORMAT) {
        findings.push({ reason: 'archive_malformed', line: n, detail: `the first line is not a ${ARCHIVE_FORMAT} header` });
        continue;
      }
      header = line;
      const carried = new Set(line.keys.map((k) => k.keyId));
      try {
        trusted = new TrustedKeys(options.trusted ?? line.keys);
      } catch (error) {
        findings.push({ reason: 'archive_malformed', line: n, detail: `a key does not read: ${(error as Error).message}` });
        trusted = new TrustedKeys();
      }
      untrustedKeys = options.trusted ? [] : [...carried];
      if (options.previousDigest !== undefined && line.previousArchive !== options.previousDigest) {
        findings.push({ reason: 'archive_previous_mismatch', line: n, detail: 'the archive does not name the digest of the archive given as the one before it' });
      }
      continue;
    }
    if (!header || !trusted) {
      findings.push({ reason: 'archive_malformed', line: n, detail: 'no header' });
      continue;
    }
    if (line.kind === 'seal') {
      const seal = line.seal;
      const sealNo = seal.statement.sealNo;
      const check = trusted.check(seal);
      if (check === 'unknown-key') findings.push({ reason: 'seal_key_unknown', line: n, sealNo, detail: `no trusted key ${seal.keyId}` });
      if (check === 'bad-signature') findings.push({ reason: 'seal_signature_invalid', line: n, sealNo });
      const before = seals[seals.length - 1];
      if (before && (sealNo !== before.statement.sealNo + 1 || seal.statement.previous !== sealDigest(before))) {
        findings.push({ reason: 'seal_chain_broken', line: n, sealNo, detail: 'the seal does not follow the one before it' });
      }
      if (!before) {
        // The span starts from the first seal's heads (or from genesis when it starts at the beginning).
        for (const head of seal.statement.heads) {
          chains.set(head.shard, header.fromSeal === null ? { seq: 0, hash: genesisHash(head.shard) } : { seq: head.seq, hash: Buffer.from(head.hash, 'hex') });
        }
      }
      if (check === 'valid' && (before || header.fromSeal === null)) {
        for (const head of seal.statement.heads) {
          const byChain = sealed.get(head.shard) ?? sealed.set(head.shard, new Map()).get(head.shard)!;
          (byChain.get(head.seq) ?? byChain.set(head.seq, []).get(head.seq)!).push({ hash: head.hash, sealNo });
        }
      }
      seals.push(seal);
      continue;
    }
    if (line.kind === 'event') {
      events += 1;
      const at = { line: n, chain: line.chain, position: line.position, entityType: line.entityType, entityId: line.entityId };
      const state = chains.get(line.chain) ?? { seq: 0, hash: genesisHash(line.chain) };
      if (line.position !== state.seq + 1) findings.push({ ...at, reason: 'sequence_gap', detail: `position ${state.seq + 1} expected` });
      const prevHash = Buffer.from(line.prevHash, 'hex');
      if (!prevHash.equals(state.hash)) findings.push({ ...at, reason: 'prev_hash_mismatch' });
      const computed = chainHash(prevHash, line.position, eventContent({ ...line, occurredAt: new Date(line.at) }));
      if (computed.toString('hex') !== line.hash) findings.push({ ...at, reason: 'hash_mismatch' });
      for (const seal of sealed.get(line.chain)?.get(line.position) ?? []) {
        if (seal.hash !== line.hash) findings.push({ ...at, reason: 'sealed_hash_mismatch', sealNo: seal.sealNo });
      }
      seen.add(`${line.chain}:${line.position}`);
      chains.set(line.chain, { seq: line.position, hash: Buffer.from(line.hash, 'hex') });
      continue;
    }
    findings.push({ reason: 'archive_malformed', line: n, detail: `unknown line kind ${(line as { kind?: unknown }).kind}` });
  }

  const digest = hash.digest('hex');
  if (!end) findings.push({ reason: 'archive_not_closed', detail: 'no closing line: the file was cut' });
  else if (end.digest !== digest || end.events !== events || end.seals !== seals.length) {
    findings.push({ reason: 'archive_digest_mismatch', detail: 'the closing digest does not match the lines before it' });
  }
  // Every position a seal of the span vouches for must be in the archive.
  for (const [chain, positions] of sealed) {
    for (const [position, list] of positions) {
      const start = header?.fromSeal === null ? 0 : Number(seals[0]?.statement.heads.find((h) => h.shard === chain)?.seq ?? 0);
      if (position <= start || seen.has(`${chain}:${position}`)) continue;
      for (const seal of list) findings.push({ reason: 'sealed_event_missing', chain, position, sealNo: seal.sealNo });
    }
  }
  return { ok: findings.length === 0, findings, header, digest: end?.digest ?? null, events, seals: seals.length, untrustedKeys };
}

/** What an archive covers: the seals it runs between, from the database. */
export interface ArchiveSpan {
  /** null: from the beginning of every chain. */
  from: Seal | null;
  to: Seal;
  /** Every seal after `from` up to `to`, in order. */
  between: Seal[];
}
