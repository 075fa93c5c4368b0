import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalInbox, LocalOutbox } from './local-folder.transport';

describe('local folders', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'kiungo-fd-transport-'));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('publishes a request under its final name only once it is whole, leaving no temporary file', async () => {
    const outbox = new LocalOutbox(path.join(root, 'outbox'));
    const seen: string[][] = [];
    const watcher = setInterval(() => {
      fs.readdir(outbox.folder).then((names) => seen.push(names), () => undefined);
    }, 1);
    const big = Buffer.alloc(4 * 1024 * 1024, 'x');
    await outbox.put('t-1.json', big);
    clearInterval(watcher);
    expect(await fs.readdir(outbox.folder)).toEqual(['t-1.json']);
    expect((await fs.stat(path.join(outbox.folder, 't-1.json'))).size).toBe(big.length);
    // Whatever a reader listed meanwhile, the final name never pointed at a partial file: it appears by rename.
    expect(seen.flat().filter((n) => !n.startsWith('.') && n !== 't-1.json')).toEqual([]);
  });

  it('replaces an earlier request of the same transaction instead of adding a second file, then writes the done-file', async () => {
    const outbox = new LocalOutbox(path.join(root, 'outbox'));
    await outbox.put('t-1.json', Buffer.from('{"attempt":1}'), { doneFile: 't-1.json.done' });
    await outbox.put('t-1.json', Buffer.from('{"attempt":2}'), { doneFile: 't-1.json.done' });
    expect((await fs.readdir(outbox.folder)).sort()).toEqual(['t-1.json', 't-1.json.done']);
    expect(await fs.readFile(path.join(outbox.folder, 't-1.json'), 'utf8')).toBe('{"attempt":2}');
  });

  it('writes nothing when the call was aborted before publication', async () => {
    const outbox = new LocalOutbox(path.join(root, 'outbox'));
    await expect(outbox.put('t-1.json', Buffer.from('{}'), { signal: AbortSignal.abort() })).rejects.toThrow();
    expect(await fs.readdir(outbox.folder)).toEqual([]);
  });

  it('refuses names that would leave the folder', async () => {
    const outbox = new LocalOutbox(path.join(root, 'outbox'));
    await expect(outbox.put('../escape.json', Buffer.from('{}'))).rejects.toThrow(/plain file name/);
  });

  it('lists answers, moves them aside without overwriting, and records why one failed', async () => {
    const inbox = new LocalInbox(path.join(root, 'inbox'));
    await fs.mkdir(inbox.folder, { recursive: true });
    await fs.writeFile(path.join(inbox.folder, 'a.json'), 'one');
    await fs.writeFile(path.join(inbox.folder, '.partial.tmp'), 'hidden');
    expect((await inbox.list(10)).map((e) => e.name)).toEqual(['a.json']);

    await inbox.moveToProcessed('a.json');
    await fs.writeFile(path.join(inbox.folder, 'a.json'), 'two');
    await inbox.moveToProcessed('a.json');
    const processed = await fs.readdir(inbox.processedFolder);
    expect(processed).toHaveLength(2);
    expect((await Promise.all(processed.map((n) => fs.readFile(path.join(inbox.processedFolder, n), 'utf8')))).sort()).toEqual(['one', 'two']);

    await fs.writeFile(path.join(inbox.folder, 'b.json'), 'garbage');
    await inbox.moveToFailed('b.json', 'not valid JSON');
    expect(await fs.readFile(path.join(inbox.failedFolder, 'b.json.reason.txt'), 'utf8')).toMatch(/not valid JSON/);
    expect((await inbox.list(10)).map((e) => e.name)).toEqual([]);
  });
});
