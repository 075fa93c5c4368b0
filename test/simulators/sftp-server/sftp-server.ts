/**
 * A real SFTP server for tests: OpenSSH's sshd, started as a child process on a free port of
 * 127.0.0.1 with a throw-away host key, a throw-away client key and its own sshd_config (no PAM,
 * key login only, `internal-sftp`). There is no chroot, so the server's paths are this machine's
 * paths: a test points the file-drop agency simulator at `root` and the SFTP agency file at the
 * same folders, and the agency side needs no SFTP at all.
 *
 * Needs /usr/sbin/sshd (Debian: `apt-get install openssh-server`; .ci/run installs it) and
 * ssh-keygen. The user running the tests logs in as itself; as root that needs
 * `PermitRootLogin prohibit-password`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export interface SftpServer {
  host: string;
  port: number;
  username: string;
  /** The client's private key (OpenSSH format) and the file holding it. */
  privateKey: Buffer;
  privateKeyFile: string;
  /** `SHA256:...` of the server's host key, as `ssh-keygen -lf` prints it. */
  hostKeySha256: string;
  /** A folder for the test's files (outbox, inbox), reachable over SFTP under the same path. */
  root: string;
  /** Kills the server and every session it holds, then starts it again on the same port. */
  restart(): Promise<void>;
  /** Stops it (sessions included) without starting again. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** Why an SFTP test cannot run here, or undefined when it can. */
export function sftpServerUnavailableReason(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is missing (apt-get install -y openssh-server)`;
  try {
    execFileSync('ssh-keygen', ['-V'], { stdio: 'ignore' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'ssh-keygen is missing';
  }
  return undefined;
}

export async function startSftpServer(): Promise<SftpServer> {
  const reason = sftpServerUnavailableReason();
  if (reason) throw new Error(`cannot start an SFTP server: ${reason}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'kiungo-sshd-'));
  const root = path.join(dir, 'root');
  mkdirSync(root);
  const hostKey = path.join(dir, 'host_key');
  const clientKey = path.join(dir, 'client_key');
  keygen(hostKey);
  keygen(clientKey);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  const username = userInfo().username;
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      'PidFile none',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      // The temp folder's modes are not what sshd demands of a home directory.
      'StrictModes no',
      `AllowUsers ${username}`,
      'Subsystem sftp internal-sftp',
      'MaxStartups 100',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  // sshd refuses to start without its privilege-separation folder (normally made by systemd).
  mkdirSync('/run/sshd', { recursive: true });

  let child: ChildProcess | undefined;
  let log = '';
  const start = async (): Promise<void> => {
    child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-2000);
    });
    await untilListening(port, child, () => log);
  };
  const stop = async (): Promise<void> => {
    const master = child;
    child = undefined;
    if (!master?.pid || master.exitCode !== null) return;
    // Each session is a process of its own (sshd forks and calls setsid), so they go by pid.
    const sessions = descendantsOf(master.pid);
    const exited = new Promise((resolve) => master.once('exit', resolve));
    for (const pid of [master.pid, ...sessions]) signal(pid, 'SIGKILL');
    await exited;
  };
  await start();

  return {
    host: '127.0.0.1',
    port,
    username,
    privateKey: readFileSync(clientKey),
    privateKeyFile: clientKey,
    hostKeySha256: fingerprintOfPublicKeyFile(`${hostKey}.pub`),
    root,
    restart: async () => {
      await stop();
      await start();
    },
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh ed25519 key pair without passphrase: `<file>` and `<file>.pub`. */
export function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kiungo-test', '-f', file], { stdio: 'ignore' });
}

/** The OpenSSH fingerprint (`SHA256:` + unpadded base64) of a `.pub` file. */
export function fingerprintOfPublicKeyFile(file: string): string {
  const blob = readFileSync(file, 'utf8').trim().split(/\s+/)[1];
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Waits for the SSH banner, so that the first test does not race sshd's start. */
async function untilListening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${log()}`);
    if (await banner(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sshd did not listen on port ${port} within 5 s: ${log()}`);
}

function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('SSH-')));
    socket.once('error', () => done(false));
  });
}

/** Every process below `pid`, from /proc (Linux). */
function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    for (const child of children.get(pending.pop()!) ?? []) {
      found.push(child);
      pending.push(child);
    }
  }
  return found;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
