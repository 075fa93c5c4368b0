/**
 * After the faults: wait (bounded) for the system to settle, then hold it to its promises —
 * nothing answered is lost or left hanging, no agency got a second application, no slot is
 * over capacity, and the audit chains verify.
 */
import { withClient } from '../../bench/lib/database';
import { requestJson } from '../../bench/lib/http';
import { sleep } from '../../bench/lib/processes';
import type { RestAgencyStats } from '../../test/simulators/rest-agency/rest-agency.state';
import { auditChainsVerify, auditTrailsMatchRows } from './audit-checks';
import { CHAOS_AGENCIES, type ChaosStack } from './stack';
import type { SentRequest } from './traffic';

export interface Check {
  label: string;
  ok: boolean;
  detail: string;
}

const OPEN_STATES = ['received', 'retrying', 'dispatched'];

export interface Settling {
  settled: boolean;
  waitedMs: number;
  /** Transactions still open (received/retrying/dispatched) and stored ones awaiting replay, at the end. */
  open: number;
  replayPending: number;
}

/** Polls until no transaction is open or awaiting replay, or `timeoutMs` passes. */
export async function waitToSettle(databaseUrl: string, timeoutMs: number, log: (line: string) => void): Promise<Settling> {
  const startedAt = Date.now();
  let last = { open: -1, replayPending: -1 };
  let lastLogged = 0;
  for (;;) {
    last = await withClient(databaseUrl, async (client) => {
      const { rows } = await client.query<{ open: string; replay_pending: string }>(
        `SELECT count(*) FILTER (WHERE state = ANY($1)) AS open, count(*) FILTER (WHERE replay_pending) AS replay_pending FROM transactions`,
        [OPEN_STATES],
      );
      return { open: Number(rows[0].open), replayPending: Number(rows[0].replay_pending) };
    }).catch(() => last);
    const waitedMs = Date.now() - startedAt;
    if (last.open === 0 && last.replayPending === 0) return { settled: true, waitedMs, ...last };
    if (waitedMs >= timeoutMs) return { settled: false, waitedMs, ...last };
    if (Date.now() - lastLogged > 10_000) {
      log(`settling: ${last.open} open, ${last.replayPending} awaiting replay (${Math.round(waitedMs / 1000)} s)`);
      lastLogged = Date.now();
    }
    await sleep(1000);
  }
}

export async function runChecks(stack: ChaosStack, sent: readonly SentRequest[], placesPerSlot: number): Promise<Check[]> {
  const databaseUrl = stack.deployment.databaseUrl;
  const transactions = sent.filter((s) => s.kind === 'transaction');
  const bookings = sent.filter((s) => s.kind === 'booking');
  return [
    await answeredTransactionsStored(databaseUrl, transactions),
    sameKeySameAnswer(transactions, 'transaction'),
    await oneTransactionPerKey(databaseUrl, transactions),
    ...(await noSecondApplication(stack, databaseUrl)),
    await answeredBookingsStored(databaseUrl, bookings, placesPerSlot),
    sameKeySameAnswer(bookings, 'booking'),
    await slotsWithinCapacity(databaseUrl),
    await auditTrailsMatchRows(databaseUrl),
    await auditChainsVerify(databaseUrl),
  ];
}

/** Every 200/202 names a transaction that exists and is terminal or `manual`. */
async function answeredTransactionsStored(databaseUrl: string, sent: readonly SentRequest[]): Promise<Check> {
  const answered = sent.filter((s) => s.status === 200 || s.status === 202);
  const ids = [...new Set(answered.map((s) => s.id).filter((id): id is string => id !== undefined))];
  const withoutId = answered.length - answered.filter((s) => s.id).length;
  const rows = await withClient(databaseUrl, async (client) =>
    (
      await client.query<{ id: string; state: string; attempts: number; stored: boolean; replayed: boolean }>(
        `SELECT id, state, attempts, fallback IS NOT NULL AS stored, replayed_at IS NOT NULL AS replayed
           FROM transactions WHERE id = ANY($1::uuid[])`,
        [ids],
      )
    ).rows,
  );
  const states: Record<string, number> = {};
  for (const row of rows) states[row.state] = (states[row.state] ?? 0) + 1;
  const missing = ids.length - rows.length;
  const open = rows.filter((r) => OPEN_STATES.includes(r.state));
  return {
    label: 'every 200/202 transaction is stored and terminal or manual',
    ok: missing === 0 && withoutId === 0 && open.length === 0,
    detail:
      `${answered.length} answers, ${ids.length} ids → ${JSON.stringify(sortKeys(states))}; ` +
      `${rows.filter((r) => r.attempts > 1).length} needed more than one agency call (most: ${Math.max(0, ...rows.map((r) => r.attempts))}), ` +
      `${rows.filter((r) => r.stored).length} stored while the agency was degraded (${rows.filter((r) => r.replayed).length} replayed)` +
      (missing ? `; MISSING ${missing}` : '') +
      (withoutId ? `; ${withoutId} answers without id` : '') +
      (open.length ? `; still open e.g. ${open.slice(0, 3).map((r) => `${r.id} ${r.state}`).join(', ')}` : ''),
  };
}

/** A request and its client retry (same Idempotency-Key) that both got a 2xx named the same thing. */
function sameKeySameAnswer(sent: readonly SentRequest[], what: string): Check {
  const byKey = new Map<string, Set<string>>();
  let retried = 0;
  for (const s of sent) {
    if (s.attempt === 2) retried++;
    if (!s.id) continue;
    const ids = byKey.get(s.key) ?? new Set<string>();
    ids.add(s.id);
    byKey.set(s.key, ids);
  }
  const split = [...byKey.entries()].filter(([, ids]) => ids.size > 1);
  return {
    label: `a ${what} retried with the same Idempotency-Key gets the same ${what}`,
    ok: split.length === 0,
    detail: `${retried} client retries` + (split.length ? `; ${split.length} keys answered with different ids, e.g. ${split[0][0]}` : '; no key answered twice differently'),
  };
}

/** The database holds at most one transaction per client Idempotency-Key (none created twice). */
async function oneTransactionPerKey(databaseUrl: string, sent: readonly SentRequest[]): Promise<Check> {
  const keys = [...new Set(sent.map((s) => s.key))];
  const rows = await withClient(databaseUrl, async (client) =>
    (
      await client.query<{ idempotency_key: string; n: string }>(
        'SELECT idempotency_key, count(*) AS n FROM transactions WHERE idempotency_key = ANY($1) GROUP BY idempotency_key',
        [keys],
      )
    ).rows,
  );
  const twice = rows.filter((r) => Number(r.n) > 1);
  const unanswered = new Set(sent.filter((s) => s.status === 200 || s.status === 202).map((s) => s.key));
  const storedWithoutAnswer = rows.filter((r) => !unanswered.has(r.idempotency_key)).length;
  return {
    label: 'one transaction per Idempotency-Key',
    ok: twice.length === 0,
    detail:
      `${keys.length} keys sent, ${rows.length} stored` +
      (storedWithoutAnswer ? ` (${storedWithoutAnswer} stored though the client saw no 200/202: cut off by a fault, kept and processed)` : '') +
      (twice.length ? `; ${twice.length} keys with several transactions` : ''),
  };
}

/**
 * Per agency: the simulator counts applications by idempotency key (= our transaction id). Each
 * key it accepted must be one of our transactions of that agency, and each of our transactions
 * holding an agency reference must be a key it accepted; duplicates (the same key again) are fine.
 */
async function noSecondApplication(stack: ChaosStack, databaseUrl: string): Promise<Check[]> {
  const checks: Check[] = [];
  for (const agency of CHAOS_AGENCIES) {
    const { status, body: stats } = await requestJson<RestAgencyStats>(`${stack.simulators[agency].url}/_stats`);
    if (status !== 200) {
      checks.push({ label: `${agency}: one application per transaction`, ok: false, detail: `simulator /_stats answered ${status}` });
      continue;
    }
    const keys = Object.keys(stats.byKey);
    const rows = await withClient(databaseUrl, async (client) =>
      (
        await client.query<{ id: string; agency_ref: string | null; state: string }>(
          'SELECT id, agency_ref, state FROM transactions WHERE agency_code = $1',
          [agency],
        )
      ).rows,
    );
    const ours = new Set(rows.map((r) => r.id));
    const withRef = rows.filter((r) => r.agency_ref !== null);
    const accepted = new Set(keys);
    const strangers = keys.filter((k) => !ours.has(k));
    const refWithoutApplication = withRef.filter((r) => !accepted.has(r.id));
    const refs = new Set(withRef.map((r) => r.agency_ref));
    const ok = stats.accepted === keys.length && strangers.length === 0 && refWithoutApplication.length === 0 && refs.size === withRef.length;
    checks.push({
      label: `${agency}: no transaction filed twice at the agency`,
      ok,
      detail:
        `${stats.calls} calls, ${stats.accepted} applications (= ${keys.length} unique keys), ${stats.duplicates} repeated keys answered from the agency's store; ` +
        `${rows.length} transactions, ${withRef.length} with a reference` +
        (strangers.length ? `; ${strangers.length} applications for no transaction of ours` : '') +
        (refWithoutApplication.length ? `; ${refWithoutApplication.length} references the agency never issued` : '') +
        (refs.size !== withRef.length ? `; ${withRef.length - refs.size} references shared by two transactions` : ''),
    });
  }
  return checks;
}

/** Every 201 booking exists and is active (nothing cancelled it; slots are days ahead); no slot gave out more 201s than places. */
async function answeredBookingsStored(databaseUrl: string, sent: readonly SentRequest[], placesPerSlot: number): Promise<Check> {
  const refs = [...new Set(sent.filter((s) => s.status === 201 && s.id).map((s) => s.id as string))];
  const refsBySlot = new Map<string, Set<string>>();
  for (const s of sent) {
    if (s.status !== 201 || !s.id) continue;
    refsBySlot.set(s.target, (refsBySlot.get(s.target) ?? new Set<string>()).add(s.id));
  }
  const overbooked = [...refsBySlot.entries()].filter(([, r]) => r.size > placesPerSlot);
  const withoutRef = sent.filter((s) => s.status === 201 && !s.id).length;
  const rows = await withClient(databaseUrl, async (client) =>
    (await client.query<{ reference: string; status: string }>('SELECT reference, status FROM bookings WHERE reference = ANY($1)', [refs])).rows,
  );
  const inactive = rows.filter((r) => r.status !== 'booked' && r.status !== 'checked_in');
  const missing = refs.length - rows.length;
  return {
    label: 'every 201 booking is stored and active; ≤ places per slot',
    ok: missing === 0 && inactive.length === 0 && withoutRef === 0 && overbooked.length === 0,
    detail:
      `${refs.length} bookings answered 201 in ${refsBySlot.size} slots, ${rows.length} found` +
      (overbooked.length ? `; ${overbooked.length} slots gave more than ${placesPerSlot} 201s, e.g. ${overbooked[0][0]}` : '') +
      (missing ? `; MISSING ${missing}` : '') +
      (inactive.length ? `; ${inactive.length} not active` : '') +
      (withoutRef ? `; ${withoutRef} answers without reference` : ''),
  };
}

/** booked ≤ capacity on every slot, and booked = the slot's active bookings. */
async function slotsWithinCapacity(databaseUrl: string): Promise<Check> {
  const rows = await withClient(databaseUrl, async (client) =>
    (
      await client.query<{ slot: string; capacity: number; booked: number; active: string }>(
        `SELECT s.service_code || '@' || s.slot_start::text AS slot, s.capacity, s.booked,
                (SELECT count(*) FROM bookings b WHERE b.centre_code = s.centre_code AND b.service_code = s.service_code
                   AND b.slot_start = s.slot_start AND b.status IN ('booked', 'checked_in')) AS active
           FROM appointment_slots s`,
      )
    ).rows,
  );
  const bad = rows.filter((r) => r.booked > r.capacity || r.booked !== Number(r.active));
  const places = rows.reduce((sum, r) => sum + r.capacity, 0);
  const booked = rows.reduce((sum, r) => sum + r.booked, 0);
  return {
    label: 'no slot over capacity; booked = active bookings',
    ok: bad.length === 0,
    detail:
      `${rows.length} slots, ${booked} of ${places} places booked` +
      (bad.length ? `; BAD ${bad.slice(0, 3).map((r) => `${r.slot} capacity ${r.capacity} booked ${r.booked} active ${r.active}`).join('; ')}` : ''),
  };
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort());
}
