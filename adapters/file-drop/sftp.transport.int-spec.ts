/**
 * The SFTP outbox and inbox against a real OpenSSH sshd (test/simulators/sftp-server): the
 * server has no chroot, so what the transport writes over SFTP is checked on disk directly.
 */
import { existsSync, mkdirSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describeWithSftpServer } from '../../test/factories/describe-with-sftp';
import { keygen, startSftpServer, type SftpServer } from '../../test/simulators/sftp-server/sftp-server';
import { AgencyCallError } from '../agency-adapter.port';
import { collect } from './bounded-read';
import { InboxPoller } from './inbox-poller';
import type { SftpSettings } from './sftp-config';
import { SftpConnection } from './sftp-connection';
import { SftpInbox, SftpOutbox } from './sftp.transport';

describeWithSftpServer('SFTP file-drop transport', () => {
  let server: SftpServer;
  let connection: SftpConnection;
  let outboxDir: string;
  let inboxDir: string;
  const extra: SftpConnection[] = [];

  const settings = (overrides: Partial<SftpSettings> = {}): SftpSettings => ({
    host: server.host,
    port: server.port,
    username: server.username,
    hostKeySha256: server.hostKeySha256,
    timeoutMs: 3000,
    credentials: () => ({ privateKey: server.privateKey }),
    ...overrides,
  });
  const another = (overrides: Partial<SftpSettings> = {}): SftpConnection => {
    const created = new SftpConnection('test', settings(overrides));
    extra.push(created);
    return created;
  };
  const drop = async (name: string, content: string): Promise<void> => {
    await fs.writeFile(path.join(inboxDir, `.${name}.tmp`), content);
    await fs.rename(path.join(inboxDir, `.${name}.tmp`), path.join(inboxDir, name));
  };

  beforeAll(async () => {
    server = await startSftpServer();
    outboxDir = path.join(server.root, 'outbox');
    inboxDir = path.join(server.root, 'inbox');
    mkdirSync(inboxDir);
    connection = new SftpConnection('test', settings());
  });

  afterAll(async () => {
    await Promise.all([connection, ...extra].map((c) => c?.close()));
    await server?.close();
  });

  describe('outbox', () => {
    it('publishes under a temporary dot-name, then renames: the final name never shows a partial file', async () => {
      const outbox = new SftpOutbox(connection, outboxDir);
      const content = Buffer.alloc(3 * 1024 * 1024, 'k');
      const target = path.join(outboxDir, 'big.json');
      const sizesSeen = new Set<number>();
      let uploading = true;
      const watching = (async () => {
        while (uploading) {
          const stat = await fs.stat(target).catch(() => undefined);
          if (stat) sizesSeen.add(stat.size);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();

      await outbox.put('big.json', content);
      uploading = false;
      await watching;

      expect(readFileSync(target).equals(content)).toBe(true);
      expect([...sizesSeen].filter((size) => size !== content.length)).toEqual([]);
      expect(readdirSync(outboxDir)).toEqual(['big.json']);
    });

    it('replaces an earlier file of the same name (a retry never duplicates) and writes the done-file after it', async () => {
      const outbox = new SftpOutbox(connection, outboxDir);

      await outbox.put('tx-1.json', Buffer.from('{"attempt":1}'));
      await outbox.put('tx-1.json', Buffer.from('{"attempt":2}'), { doneFile: 'tx-1.json.done' });

      expect(readFileSync(path.join(outboxDir, 'tx-1.json'), 'utf8')).toBe('{"attempt":2}');
      expect(readFileSync(path.join(outboxDir, 'tx-1.json.done'), 'utf8')).toBe('');
      expect(readdirSync(outboxDir).filter((n) => n.startsWith('tx-1') || n.startsWith('.'))).toEqual(['tx-1.json', 'tx-1.json.done']);
    });

    it('refuses a name that is not a plain file name', async () => {
      await expect(new SftpOutbox(connection, outboxDir).put('../escape.json', Buffer.from('x'))).rejects.toThrow(/plain file name/);
    });

    it('creates a missing outbox folder, and probe fails for an outbox that is not a folder', async () => {
      const nested = path.join(server.root, 'deep', 'er', 'outbox');
      await new SftpOutbox(connection, nested).put('a.json', Buffer.from('{}'));
      expect(existsSync(path.join(nested, 'a.json'))).toBe(true);
      await fs.writeFile(path.join(server.root, 'not-a-folder'), 'x');
      await expect(new SftpOutbox(connection, path.join(server.root, 'not-a-folder')).probe()).rejects.toThrow(/not a folder/);
    });
  });

  describe('inbox', () => {
    it('lists plain top-level files with their sizes, reads them, and moves them to processed/ and failed/', async () => {
      const inbox = new SftpInbox(connection, inboxDir);
      await drop('a.answer.json', '{"a":1}');
      await drop('b.answer.json', 'garbage!');
      await fs.writeFile(path.join(inboxDir, '.in-progress.tmp'), 'partial');

      const listed = await inbox.list(10);
      expect(listed.map((e) => [e.name, e.size]).sort()).toEqual([
        ['a.answer.json', 7],
        ['b.answer.json', 8],
      ]);
      expect((await inbox.read('a.answer.json', 100, collect)).toString()).toBe('{"a":1}');
      expect((await inbox.read('a.answer.json', 3, collect)).toString()).toBe('{"a"');
      expect(await inbox.exists('a.answer.json')).toBe(true);

      await inbox.moveToProcessed('a.answer.json');
      await inbox.moveToFailed('b.answer.json', 'unreadable json answer: not JSON');

      expect(readdirSync(path.join(inboxDir, 'processed'))).toEqual(['a.answer.json']);
      expect(readdirSync(path.join(inboxDir, 'failed')).sort()).toEqual(['b.answer.json', 'b.answer.json.reason.txt']);
      expect(readFileSync(path.join(inboxDir, 'failed', 'b.answer.json.reason.txt'), 'utf8')).toMatch(/unreadable json answer: not JSON/);
      expect((await inbox.list(10)).map((e) => e.name)).toEqual([]);
      expect(await inbox.exists('a.answer.json')).toBe(false);
    });

    it('keeps both copies when an answer of the same name arrives twice, and a file already moved is no error', async () => {
      const inbox = new SftpInbox(connection, inboxDir);
      await drop('twice.json', 'first');
      await inbox.moveToProcessed('twice.json');
      await drop('twice.json', 'second');
      await inbox.moveToProcessed('twice.json');
      await inbox.moveToProcessed('twice.json');

      const copies = readdirSync(path.join(inboxDir, 'processed')).filter((n) => n.startsWith('twice.json'));
      expect(copies).toHaveLength(2);
      expect(copies.map((n) => readFileSync(path.join(inboxDir, 'processed', n), 'utf8')).sort()).toEqual(['first', 'second']);
    });

    it('removes a file, and lists at most `limit` files', async () => {
      const inbox = new SftpInbox(connection, inboxDir);
      await drop('x1.json', '1');
      await drop('x2.json', '2');
      expect(await inbox.list(1)).toHaveLength(1);
      await inbox.remove('x1.json');
      await inbox.remove('x2.json');
      await inbox.remove('never-there.json');
      expect(await inbox.list(10)).toEqual([]);
    });

    it('through the inbox poller: an answer still growing is not read until its size holds still', async () => {
      const answers: string[] = [];
      const poller = new InboxPoller({
        agencyCode: 'dci',
        config: { format: 'json', inbox: inboxDir, pollIntervalMs: 50, settleMs: 0, maxAnswerBytes: 1_048_576 },
        transport: new SftpInbox(connection, inboxDir),
        onAnswer: async (answer) => {
          answers.push(answer.transactionId);
          return 'recorded';
        },
      });
      const file = path.join(inboxDir, 'slow.answer.json');
      const whole = JSON.stringify({ transactionId: 'tx-slow', status: 'accepted', reference: 'DCI-000001' });
      await fs.writeFile(file, whole.slice(0, 20));
      expect(await poller.pollOnce()).toMatchObject({ waiting: 1, recorded: 0 });
      await fs.appendFile(file, whole.slice(20));
      expect(await poller.pollOnce()).toMatchObject({ waiting: 1, recorded: 0 });
      expect(await poller.pollOnce()).toMatchObject({ recorded: 1 });
      expect(answers).toEqual(['tx-slow']);
      expect(existsSync(path.join(inboxDir, 'processed', 'slow.answer.json'))).toBe(true);
      await poller.close();
    });
    it('through the inbox poller: moves a 2.2 GB answer to failed/ unread, and streams no more than the cap of another', async () => {
      const rssMiB = (): number => Math.round(process.memoryUsage().rss / (1024 * 1024));
      const poller = new InboxPoller({
        agencyCode: 'dci',
        config: { format: 'xml', inbox: inboxDir, pollIntervalMs: 50, settleMs: 0, maxAnswerBytes: 64 * 1024 * 1024 },
        transport: new SftpInbox(connection, inboxDir),
        onAnswer: async () => 'recorded',
      });
      const sparse = async (name: string, size: number): Promise<void> => {
        await fs.writeFile(path.join(inboxDir, name), '<answer>');
        await fs.truncate(path.join(inboxDir, name), size);
      };
      await sparse('huge.answer.xml', 2_200_000_000);
      await sparse('garbage.answer.xml', 60 * 1024 * 1024);
      const before = rssMiB();

      await poller.pollOnce();
      const report = await poller.pollOnce();
      const after = rssMiB();
      await poller.close();

      console.info(`RSS around a 2.2 GB and a 60 MB answer over SFTP: ${before} MiB before, ${after} MiB after`);
      expect(report).toMatchObject({ failed: 2, recorded: 0 });
      expect(readFileSync(path.join(inboxDir, 'failed', 'huge.answer.xml.reason.txt'), 'utf8')).toMatch(/2200000000 bytes, over the cap of 67108864 bytes/);
      expect(readFileSync(path.join(inboxDir, 'failed', 'garbage.answer.xml.reason.txt'), 'utf8')).toMatch(/unreadable xml answer: not well-formed XML/);
      expect(after - before).toBeLessThan(64);
    });
  });

  describe('connection', () => {
    it('reconnects after the server restarts, and is unavailable while it is down', async () => {
      const outbox = new SftpOutbox(connection, outboxDir);
      await outbox.put('before.json', Buffer.from('1'));

      await server.stop();
      const down = await outbox.put('during.json', Buffer.from('2')).catch((error: unknown) => error);
      expect(down).toBeInstanceOf(AgencyCallError);
      expect(down).toMatchObject({ code: 'unavailable' });

      await server.restart();
      await outbox.put('after.json', Buffer.from('3'));
      expect(readFileSync(path.join(outboxDir, 'after.json'), 'utf8')).toBe('3');
    });

    it('reopens a connection that died under it without failing the call', async () => {
      const outbox = new SftpOutbox(connection, outboxDir);
      await outbox.put('one.json', Buffer.from('1'));
      await server.restart();
      await outbox.put('two.json', Buffer.from('2'));
      expect(readFileSync(path.join(outboxDir, 'two.json'), 'utf8')).toBe('2');
    });

    it('refuses a server whose host key is not the pinned one: misconfigured', async () => {
      const wrongPin = `SHA256:${'A'.repeat(43)}`;
      const error = await new SftpInbox(another({ hostKeySha256: wrongPin }), inboxDir).list(1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AgencyCallError);
      expect(error).toMatchObject({ code: 'misconfigured', reason: expect.stringContaining(`presented host key ${server.hostKeySha256}`) });
    });

    it('a key the server does not accept is misconfigured', async () => {
      const strangerKey = path.join(server.root, '..', 'stranger_key');
      keygen(strangerKey);
      const error = await new SftpInbox(another({ credentials: () => ({ privateKey: readFileSync(strangerKey) }) }), inboxDir)
        .list(1)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AgencyCallError);
      expect(error).toMatchObject({ code: 'misconfigured', reason: expect.stringContaining('refused user') });
    });

    it('gives up on a server that never answers within the time limit', async () => {
      const sockets = new Set<net.Socket>();
      const silent = net.createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const port = (silent.address() as net.AddressInfo).port;
      try {
        const error = await new SftpInbox(another({ port, timeoutMs: 300 }), inboxDir)
          .list(1)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AgencyCallError);
        expect(error).toMatchObject({ code: 'timeout', reason: expect.stringContaining('300 ms') });
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });
  });
});
