/**
 * A file-drop agency: watches the outbox Kiungo writes requests into, takes each request file
 * (deleting it, as an agency's batch job does), and writes an answer into the inbox after a
 * delay. It keeps one application per transaction id, like a well-behaved agency: a repeated
 * request gets the reference it already has. It can be told to misbehave:
 *   healthy      answers after `answerDelayMs`
 *   slow         answers after `delayMs` (default 2000)
 *   reject       answers "rejected"
 *   garbage      answers with a file nobody can read
 *   down         takes nothing and answers nothing (requests pile up in the outbox)
 *   slow-writer  writes the answer straight under its final name, in `pieces` parts `pieceDelayMs` apart
 * A request with `idNumber: "00000000"` is always rejected.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { codecFor } from '../../../adapters/file-drop/codecs';
import type { AgencyAnswer, FileFormat, RequestDocument } from '../../../adapters/file-drop/file-drop-document';

export const FILE_DROP_AGENCY_MODES = ['healthy', 'slow', 'reject', 'garbage', 'down', 'slow-writer'] as const;
export type FileDropAgencyMode = (typeof FILE_DROP_AGENCY_MODES)[number];

export interface FileDropModeOptions {
  /** slow: how long before answering. Default 2000. */
  delayMs?: number;
  /** slow-writer: parts of the answer file, and the pause between them. Defaults 4 and 300. */
  pieces?: number;
  pieceDelayMs?: number;
}

export interface FileDropAgencyOptions {
  outbox: string;
  inbox: string;
  /** How often the agency looks into the outbox. Default 100. */
  pollMs?: number;
  /** References look like `<PREFIX>-000001`. Default `AG`. */
  referencePrefix?: string;
  format?: FileFormat;
  /** When set, requests are taken only once `<file><suffix>` exists, and answers get one too. */
  doneFileSuffix?: string;
  /** Healthy answers wait this long. Default 0. */
  answerDelayMs?: number;
}

export interface FileDropAgencyStats {
  mode: FileDropAgencyMode;
  /** Request files taken from the outbox. */
  requests: number;
  /** Request files taken, per transaction id. */
  byTransaction: Record<string, number>;
  /** Distinct applications (transaction ids) on file. */
  applications: number;
  answered: number;
  rejected: number;
  garbage: number;
  /** Request files that could not be read. */
  unreadable: number;
}

export interface FileDropAgencySimulator {
  readonly outbox: string;
  readonly inbox: string;
  setMode(mode: FileDropAgencyMode, opts?: FileDropModeOptions): void;
  stats(): FileDropAgencyStats;
  /** How many request files for this transaction the agency took. */
  requestsFor(transactionId: string): number;
  reset(): void;
  /** Stops watching; answers not yet written are dropped (the agency went away). */
  close(): Promise<void>;
}

export async function startFileDropAgency(options: FileDropAgencyOptions): Promise<FileDropAgencySimulator> {
  const { outbox, inbox, pollMs = 100, referencePrefix = 'AG', format = 'json', doneFileSuffix, answerDelayMs = 0 } = options;
  const codec = codecFor(format);
  await fs.mkdir(outbox, { recursive: true });
  await fs.mkdir(inbox, { recursive: true });

  let mode: FileDropAgencyMode = 'healthy';
  let modeOptions: FileDropModeOptions = {};
  const references = new Map<string, string>();
  let counters = { requests: 0, answered: 0, rejected: 0, garbage: 0, unreadable: 0 };
  let byTransaction: Record<string, number> = {};
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let loop: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const later = (ms: number, work: () => Promise<void>): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) work().catch(() => undefined);
    }, ms);
    timers.add(timer);
  };

  const referenceFor = (transactionId: string): string => {
    let reference = references.get(transactionId);
    if (!reference) {
      reference = `${referencePrefix}-${String(references.size + 1).padStart(6, '0')}`;
      references.set(transactionId, reference);
    }
    return reference;
  };

  /** Atomic like a careful agency: temp name, then rename, then the done-file. */
  const publish = async (name: string, content: Buffer): Promise<void> => {
    const temp = path.join(inbox, `.agency-${randomBytes(4).toString('hex')}.tmp`);
    await fs.writeFile(temp, content);
    await fs.rename(temp, path.join(inbox, name));
    if (doneFileSuffix) await fs.writeFile(path.join(inbox, `${name}${doneFileSuffix}`), '');
  };

  const answerFor = (request: RequestDocument, current: FileDropAgencyMode): AgencyAnswer => {
    if (current === 'reject' || request.payload.idNumber === '00000000') {
      return { transactionId: request.transactionId, status: 'rejected', code: 'RECORD_FOUND', reason: 'The applicant must apply in person at DCI headquarters' };
    }
    const reference = referenceFor(request.transactionId);
    const collection = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    return { transactionId: request.transactionId, status: 'accepted', reference, result: { reference, expectedCollectionDate: collection } };
  };

  const answer = async (request: RequestDocument, current: FileDropAgencyMode, opts: FileDropModeOptions): Promise<void> => {
    const name = `${request.transactionId}.answer.${codec.extension}`;
    if (current === 'garbage') {
      counters.garbage += 1;
      await publish(name, Buffer.from('%PDF-1.4 \u0000\u0001 this is not an answer\n'));
      return;
    }
    const reply = answerFor(request, current);
    const content = await codec.encodeAnswer(reply);
    if (current === 'slow-writer') {
      const pieces = Math.max(2, opts.pieces ?? 4);
      const size = Math.ceil(content.length / pieces);
      const target = path.join(inbox, name);
      for (let i = 0; i < pieces && !closed; i += 1) {
        await fs.appendFile(target, content.subarray(i * size, (i + 1) * size));
        if (i < pieces - 1) await new Promise((resolve) => setTimeout(resolve, opts.pieceDelayMs ?? 300));
      }
    } else {
      await publish(name, content);
    }
    if (reply.status === 'rejected') counters.rejected += 1;
    else counters.answered += 1;
  };

  const take = async (name: string): Promise<void> => {
    const file = path.join(outbox, name);
    let request: RequestDocument;
    try {
      request = await codec.decodeRequest(await fs.readFile(file));
    } catch {
      counters.unreadable += 1;
      await fs.rm(file, { force: true });
      return;
    }
    await fs.rm(file, { force: true });
    if (doneFileSuffix) await fs.rm(`${file}${doneFileSuffix}`, { force: true });
    counters.requests += 1;
    byTransaction[request.transactionId] = (byTransaction[request.transactionId] ?? 0) + 1;
    const current = mode;
    const opts = { ...modeOptions };
    const delay = current === 'slow' ? (opts.delayMs ?? 2000) : answerDelayMs;
    later(delay, () => answer(request, current, opts));
  };

  const poll = async (): Promise<void> => {
    if (mode === 'down') return;
    const names = await fs.readdir(outbox);
    const present = new Set(names);
    for (const name of names) {
      if (closed) return;
      if (name.startsWith('.') || (doneFileSuffix && name.endsWith(doneFileSuffix))) continue;
      if (doneFileSuffix && !present.has(`${name}${doneFileSuffix}`)) continue;
      await take(name);
    }
  };

  const tick = (): void => {
    running = poll()
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
        if (!closed) loop = setTimeout(tick, pollMs);
      });
  };
  tick();

  return {
    outbox,
    inbox,
    setMode(next, opts = {}) {
      if (!(FILE_DROP_AGENCY_MODES as readonly string[]).includes(next)) throw new Error(`unknown mode ${next}`);
      mode = next;
      modeOptions = opts;
    },
    stats: () => ({ mode, ...counters, byTransaction: { ...byTransaction }, applications: references.size }),
    requestsFor: (transactionId) => byTransaction[transactionId] ?? 0,
    reset() {
      mode = 'healthy';
      modeOptions = {};
      references.clear();
      counters = { requests: 0, answered: 0, rejected: 0, garbage: 0, unreadable: 0 };
      byTransaction = {};
    },
    async close() {
      closed = true;
      if (loop) clearTimeout(loop);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await running;
    },
  };
}
