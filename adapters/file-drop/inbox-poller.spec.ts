import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { codecFor } from './codecs';
import type { AgencyAnswer } from './file-drop-document';
import { InboxPoller, type AnswerHandling } from './inbox-poller';

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

  const poller = (extra: { doneFileSuffix?: string } = {}): InboxPoller =>
    new InboxPoller({
      agencyCode: 'dci',
      config: { format: 'json', inbox, pollIntervalMs: 100, settleMs: 500, ...extra },
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
    await write('t1.json', codec.encodeAnswer(answer('t1')));
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 0, waiting: 1 });
    expect(received).toEqual([]);
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 1, waiting: 0 });
    expect(received).toEqual([{ id: 't1', file: 't1.json' }]);
    expect(await fs.readdir(path.join(inbox, 'processed'))).toEqual(['t1.json']);
  });

  it('does not read a file that is still growing, nor one younger than settleMs', async () => {
    const inboxPoller = poller();
    const whole = codec.encodeAnswer(answer('t2'));
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

  it('with done-files, reads an answer as soon as its done-file exists and removes both', async () => {
    const inboxPoller = poller({ doneFileSuffix: '.done' });
    await write('t3.json', codec.encodeAnswer(answer('t3')), now);
    expect(await inboxPoller.pollOnce()).toMatchObject({ waiting: 1 });
    await write('t3.json.done', '', now);
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 1 });
    expect((await fs.readdir(inbox)).filter((n) => !['processed', 'failed'].includes(n))).toEqual([]);
  });

  it('moves garbage and answers for unknown transactions to failed/ with the reason beside them', async () => {
    const inboxPoller = poller();
    answerWith = async () => 'unknown';
    await write('junk.json', '%PDF-1.4 binary');
    await write('t4.json', codec.encodeAnswer(answer('t4')));
    await inboxPoller.pollOnce();
    expect(await inboxPoller.pollOnce()).toMatchObject({ failed: 2 });
    const failed = path.join(inbox, 'failed');
    expect((await fs.readdir(failed)).sort()).toEqual(['junk.json', 'junk.json.reason.txt', 't4.json', 't4.json.reason.txt']);
    expect(await fs.readFile(path.join(failed, 'junk.json.reason.txt'), 'utf8')).toMatch(/unreadable json answer: not valid JSON/);
    expect(await fs.readFile(path.join(failed, 't4.json.reason.txt'), 'utf8')).toMatch(/no transaction t4 of agency dci/);
  });

  it('leaves an answer in the inbox when it cannot be recorded (database down) and records it at a later poll', async () => {
    const inboxPoller = poller();
    answerWith = async () => {
      throw new Error('connection refused');
    };
    await write('t5.json', codec.encodeAnswer(answer('t5')));
    await inboxPoller.pollOnce();
    expect(await inboxPoller.pollOnce()).toMatchObject({ waiting: 1, recorded: 0 });
    expect(await fs.readdir(inbox)).toContain('t5.json');
    answerWith = async () => 'recorded';
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 1 });
  });

  it('a new poller (after a restart) picks up what the old one left in the inbox', async () => {
    await write('t6.json', codec.encodeAnswer(answer('t6')));
    await poller().pollOnce();
    const afterRestart = poller();
    await afterRestart.pollOnce();
    expect(await afterRestart.pollOnce()).toMatchObject({ recorded: 1 });
  });

  it.each(['xml', 'csv'] as const)('reads %s answers when the agency is configured for them', async (format) => {
    const inboxPoller = new InboxPoller({
      agencyCode: 'dci',
      config: { format, inbox, pollIntervalMs: 100, settleMs: 0 },
      onAnswer: async (a) => {
        received.push({ id: a.transactionId, file: format });
        return 'recorded';
      },
      now: () => now,
    });
    await write(`t8.${format}`, codecFor(format).encodeAnswer(answer('t8')));
    await inboxPoller.pollOnce();
    expect(await inboxPoller.pollOnce()).toMatchObject({ recorded: 1, failed: 0 });
    expect(received).toEqual([{ id: 't8', file: format }]);
  });

  it('start() keeps polling until close(), and close() waits for the poll in progress', async () => {
    const inboxPoller = poller();
    await write('t7.json', codec.encodeAnswer(answer('t7')));
    inboxPoller.start();
    const deadline = Date.now() + 5000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await inboxPoller.close();
    expect(received.map((r) => r.id)).toEqual(['t7']);
  });
});
