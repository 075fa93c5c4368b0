import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { codecFor } from './codecs';
import type { AgencyAnswer } from './file-drop-document';
import { InboxPoller, type AnswerHandling } from './inbox-poller';
import { LocalInbox } from './local-folder.transport';

const codec = codecFor('json');
const answer = (transactionId: string): AgencyAnswer => ({
  transactionId,
  status: 'accepted',
  reference: `DCI-${transactionId}`,
  result: { reference: `DCI-${transactionId}` },
});

describe('InboxPoller', () => {
  let inbox: string;
  let now: number;
  let received: Array<{ id: string; file: string }>;
  let answerWith: (id: string) => Promise<AnswerHandling>;

  // settleMs 0: ready once unchanged across two polls; the settling specs set their own.
  const poller = (extra: { doneFileSuffix?: string; format?: 'json' | 'xml' | 'csv'; maxAnswerBytes?: number; settleMs?: number } = {}): InboxPoller =>
    new InboxPoller({
      agencyCode: 'dci',
      config: { format: 'json', inbox, pollIntervalMs: 100, settleMs: 0, maxAnswerBytes: 1_048_576, ...extra },
      onAnswer: async (a, file) => {
        received.push({ id: a.transactionId, file });
        return answerWith(a.transactionId);
      },
      now: () => now,
    });
  const write = async (name: string, content: Buffer | string, mtimeMs = now - 10_000): Promise<void> => {
    const file = path.join(inbox, name);
    await fs.writeFile(file, content);
    await fs.utimes(file, mtimeMs / 1000, mtimeMs / 1000);
  };

  beforeEach(() => {
    inbox = mkdtempSync(path.join(tmpdir(), 'kiungo-fd-inbox-'));
    now = Date.now();
    received = [];
    answerWith = async () => 'recorded';
  });

  afterEach(() => rmSync(inbox, { recursive: true, force: true }));

  it('reads an answer only after its size held still across two polls, then moves it to processed/', async () => {
    const inboxPoller = poller();
    await write('t1.json', await codec.encodeAnswer(answer('t1')));
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 0, waiting: 1 });
    expect(received).toEqual([]);
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 1, waiting: 0 });
    expect(received).toEqual([{ id: 't1', file: 't1.json' }]);
    expect(await fs.readdir(path.join(inbox, 'processed'))).toEqual(['t1.json']);
  });

  it('does not read a file that is still growing, nor one unchanged for less than settleMs on our clock', async () => {
    const inboxPoller = poller({ settleMs: 500 });
    const whole = await codec.encodeAnswer(answer('t2'));
    await write('t2.json', whole.subarray(0, 10), now - 10_000);
    await inboxPoller.pollOnce();
    await write('t2.json', whole.subarray(0, 30), now - 9_000);
    expect(await inboxPoller.pollOnce()).toMatchObject({ waiting: 1, failed: 0 });
    await write('t2.json', whole, now - 100);
    await inboxPoller.pollOnce();
    expect(await inboxPoller.pollOnce()).toMatchObject({ waiting: 1, failed: 0 });
    now += 1000;
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 1 });
    expect(received.map((r) => r.id)).toEqual(['t2']);
  });

  it('reads a file stamped ahead of our clock (the file server keeps its own time) once it held still for settleMs', async () => {
    const inboxPoller = poller({ settleMs: 500 });
    await write('t9.json', await codec.encodeAnswer(answer('t9')), now + 3_600_000);
    await inboxPoller.pollOnce();
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 0, waiting: 1 });
    now += 499;
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 0, waiting: 1 });
    now += 1;
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 1, waiting: 0 });
    expect(received.map((r) => r.id)).toEqual(['t9']);
  });

  it('does not take a stamp from a clock behind ours for settled: a file paused mid-write still waits settleMs on ours', async () => {
    const inboxPoller = poller({ settleMs: 500 });
    const whole = await codec.encodeAnswer(answer('t10'));
    const dayBehind = now - 86_400_000;
    await write('t10.json', whole.subarray(0, 10), dayBehind);
    await inboxPoller.pollOnce();
    now += 499;
    expect(await inboxPoller.pollOnce()).toMatchObject({ waiting: 1, recorded: 0, failed: 0 });
    await write('t10.json', whole, dayBehind + 499);
    now += 1;
    expect(await inboxPoller.pollOnce()).toMatchObject({ waiting: 1, recorded: 0, failed: 0 });
    now += 500;
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 1, failed: 0 });
    expect(received.map((r) => r.id)).toEqual(['t10']);
  });

  it('with done-files, reads an answer as soon as its done-file exists and removes both', async () => {
    const inboxPoller = poller({ doneFileSuffix: '.done' });
    await write('t3.json', await codec.encodeAnswer(answer('t3')), now);
    expect(await inboxPoller.pollOnce()).toMatchObject({ waiting: 1 });
    await write('t3.json.done', '', now);
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 1 });
    expect((await fs.readdir(inbox)).filter((n) => !['processed', 'failed'].includes(n))).toEqual([]);
  });

  it('moves garbage and answers for unknown transactions to failed/ with the reason beside them', async () => {
    const inboxPoller = poller();
    answerWith = async () => 'unknown';
    await write('junk.json', '%PDF-1.4 binary');
    await write('t4.json', await codec.encodeAnswer(answer('t4')));
    await inboxPoller.pollOnce();
    expect(await inboxPoller.pollOnce()).toMatchObject({ failed: 2 });
    const failed = path.join(inbox, 'failed');
    expect((await fs.readdir(failed)).sort()).toEqual(['junk.json', 'junk.json.reason.txt', 't4.json', 't4.json.reason.txt']);
    expect(await fs.readFile(path.join(failed, 'junk.json.reason.txt'), 'utf8')).toMatch(/unreadable json answer: not a JSON object/);
    expect(await fs.readFile(path.join(failed, 't4.json.reason.txt'), 'utf8')).toMatch(/no transaction t4 of agency dci/);
  });

  it('leaves an answer in the inbox when it cannot be recorded (database down) and records it at a later poll', async () => {
    const inboxPoller = poller();
    answerWith = async () => {
      throw new Error('connection refused');
    };
    await write('t5.json', await codec.encodeAnswer(answer('t5')));
    await inboxPoller.pollOnce();
    expect(await inboxPoller.pollOnce()).toMatchObject({ waiting: 1, recorded: 0 });
    expect(await fs.readdir(inbox)).toContain('t5.json');
    answerWith = async () => 'recorded';
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 1 });
  });

  it('a new poller (after a restart) picks up what the old one left in the inbox', async () => {
    await write('t6.json', await codec.encodeAnswer(answer('t6')));
    await poller().pollOnce();
    const afterRestart = poller();
    await afterRestart.pollOnce();
    expect(await afterRestart.pollOnce()).toMatchObject({ recorded: 1 });
  });

  it.each(['xml', 'csv'] as const)('reads %s answers when the agency is configured for them', async (format) => {
    const inboxPoller = new InboxPoller({
      agencyCode: 'dci',
      config: { format, inbox, pollIntervalMs: 100, settleMs: 0, maxAnswerBytes: 1_048_576 },
      onAnswer: async (a) => {
        received.push({ id: a.transactionId, file: format });
        return 'recorded';
      },
      now: () => now,
    });
    await write(`t8.${format}`, await codecFor(format).encodeAnswer(answer('t8')));
    await inboxPoller.pollOnce();
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 1, failed: 0 });
    expect(received).toEqual([{ id: 't8', file: format }]);
  });

  it('start() keeps polling until close(), and close() waits for the poll in progress', async () => {
    const inboxPoller = poller();
    await write('t7.json', await codec.encodeAnswer(answer('t7')));
    inboxPoller.start();
    const deadline = Date.now() + 5000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await inboxPoller.close();
    expect(received.map((r) => r.id)).toEqual(['t7']);
  });

  describe('answers too large to hold', () => {
    const MiB = 1024 * 1024;
    const rssMiB = (): number => Math.round(process.memoryUsage().rss / MiB);
    /** A sparse file: `size` bytes on the listing, almost nothing on disk. */
    const sparse = async (name: string, head: string, size: number): Promise<void> => {
      await write(name, head);
      await fs.truncate(path.join(inbox, name), size);
      await fs.utimes(path.join(inbox, name), (now - 10_000) / 1000, (now - 10_000) / 1000);
    };

    it('moves a 2.2 GB answer to failed/ unread, with its size and the cap as the reason, once', async () => {
      const warnings: string[] = [];
      const inboxPoller = new InboxPoller({
        agencyCode: 'dci',
        config: { format: 'json', inbox, pollIntervalMs: 100, settleMs: 0, maxAnswerBytes: 1_048_576 },
        onAnswer: async () => 'recorded',
        logger: { log: () => undefined, warn: (line) => warnings.push(line) },
        now: () => now,
      });
      await sparse('huge.answer.json', '{"transactionId":"t-huge",', 2_200_000_000);
      const before = rssMiB();

      await inboxPoller.pollOnce();
      const report = await inboxPoller.pollOnce();
      const again = await inboxPoller.pollOnce();
      const after = rssMiB();

      console.info(`RSS around a 2.2 GB answer (local folder): ${before} MiB before, ${after} MiB after`);
      expect(report).toMatchObject({ failed: 1, recorded: 0 });
      expect(again).toMatchObject({ failed: 0, waiting: 0 });
      expect(await fs.readdir(path.join(inbox, 'failed'))).toEqual(['huge.answer.json', 'huge.answer.json.reason.txt']);
      expect(await fs.readFile(path.join(inbox, 'failed', 'huge.answer.json.reason.txt'), 'utf8')).toMatch(
        /the answer is 2200000000 bytes, over the cap of 1048576 bytes \(maxAnswerBytes\)/,
      );
      expect(warnings).toEqual(['inbox of dci: huge.answer.json moved to failed/: the answer is 2200000000 bytes, over the cap of 1048576 bytes (maxAnswerBytes)']);
      expect(after - before).toBeLessThan(64);
    });

    it.each(['json', 'xml', 'csv'] as const)('streams a %s answer: 700 MB of garbage under a raised cap is refused at its first bytes, memory flat', async (format) => {
      const inboxPoller = poller({ format, maxAnswerBytes: 1024 * MiB });
      await sparse(`garbage.${format}`, '', 700 * MiB);
      const before = rssMiB();

      await inboxPoller.pollOnce();
      const report = await inboxPoller.pollOnce();
      const after = rssMiB();

      console.info(`RSS around a 700 MB ${format} answer read as a stream: ${before} MiB before, ${after} MiB after`);
      expect(report).toMatchObject({ failed: 1 });
      expect(await fs.readFile(path.join(inbox, 'failed', `garbage.${format}.reason.txt`), 'utf8')).toMatch(`unreadable ${format} answer`);
      expect(after - before).toBeLessThan(64);
    });

    it('refuses a file that grows past the cap after it was listed, reading no more than the cap', async () => {
      const inboxPoller = poller({ maxAnswerBytes: 1024 });
      const whole = await codec.encodeAnswer({ transactionId: 't9', status: 'accepted', reference: 'DCI-t9', result: { reference: 'DCI-t9', note: 'x'.repeat(400) } });
      await write('t9.json', whole);
      await inboxPoller.pollOnce();
      await fs.appendFile(path.join(inbox, 't9.json'), ' '.repeat(2000));
      await fs.utimes(path.join(inbox, 't9.json'), (now - 10_000) / 1000, (now - 10_000) / 1000);
      // Listed at its old size by the poll before, but read past the cap by this one: refused all the same.
      const grown = new InboxPoller({
        agencyCode: 'dci',
        config: { format: 'json', inbox, pollIntervalMs: 100, settleMs: 0, maxAnswerBytes: 1024 },
        onAnswer: async () => 'recorded',
        transport: shrinkingListing(inbox, whole.length),
        now: () => now,
      });
      await grown.pollOnce();
      expect(await grown.pollOnce()).toMatchObject({ failed: 1 });
      expect(await fs.readFile(path.join(inbox, 'failed', 't9.json.reason.txt'), 'utf8')).toMatch(/larger than the cap of 1024 bytes/);
      expect(received).toEqual([]);
    });
  });
});

/** A local inbox whose listing reports every file at `size` bytes, as a listing taken before the file grew would. */
function shrinkingListing(folder: string, size: number): LocalInbox {
  const inbox = new LocalInbox(folder);
  const list = inbox.list.bind(inbox);
  inbox.list = async (limit) => (await list(limit)).map((entry) => ({ ...entry, size }));
  return inbox;
}
