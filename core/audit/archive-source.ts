import type { Queryable } from '../db/pool';
import type { PublishedKey } from '../signing/signed-statement';
import { ArchiveWriter, type ArchiveSpan } from './archive';
import { toEvent, type AuditRow } from './audit-log';
import type { Seal } from './seal';
import type { SealStore } from './seal-store';

const PAGE = 5000;

/**
 * The span of an archive asked for by time: from the last seal made at or before `from` (none: the
 * beginning) to the last seal made at or before `to`. Null when no seal was made by `to`.
 */
export async function spanBetween(db: Queryable, store: SealStore, from: Date, to: Date): Promise<ArchiveSpan | null> {
  const upTo = await store.between(db, new Date(0), to);
  if (upTo.length === 0) return null;
  const before = upTo.filter((seal) => new Date(seal.statement.sealedAt) <= from);
  const start = before.length ? before[before.length - 1] : null;
  const end = upTo[upTo.length - 1];
  if (start && start.statement.sealNo === end.statement.sealNo) return null;
  return { from: start, to: end, between: upTo.filter((seal) => seal.statement.sealNo > (start?.statement.sealNo ?? 0)) };
}

/** The archive's lines, read page by page from the database (flat memory), and its closing digest. */
export async function* archiveLines(
  db: Queryable,
  span: ArchiveSpan,
  keys: PublishedKey[],
  meta: { previousArchive: string | null; createdAt: Date },
  result: { digest?: string } = {},
): AsyncGenerator<string> {
  const writer = new ArchiveWriter();
  yield writer.header({ fromSeal: span.from?.statement.sealNo ?? null, toSeal: span.to.statement.sealNo, previousArchive: meta.previousArchive, createdAt: meta.createdAt.toISOString(), keys });
  const seals: Seal[] = span.from ? [span.from, ...span.between] : span.between;
  for (const seal of seals) yield writer.seal(seal);
  const start = new Map((span.from?.statement.heads ?? []).map((head) => [head.shard, head.seq]));
  for (const head of span.to.statement.heads) {
    for (let after = start.get(head.shard) ?? 0; after < head.seq; ) {
      const { rows } = await db.query<AuditRow>(
        `SELECT shard, seq, entity_type, entity_id, type, actor, data, occurred_at, prev_hash, hash FROM audit_events
          WHERE shard = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT ${PAGE}`,
        [head.shard, after, head.seq],
      );
      if (rows.length === 0) break; // events missing: the archive shows it (sealed_event_missing)
      for (const row of rows) yield writer.event(toEvent(row));
      after = Number(rows[rows.length - 1].seq);
    }
  }
  const end = writer.end();
  result.digest = end.digest;
  yield end.text;
}
