/**
 * The `sftp` block of a file-drop agency (`transport: "sftp"`), read into connection settings.
 * Secrets never sit in the agency file: `passwordEnv`, `privateKeyFileEnv` (a file holding an
 * OpenSSH or PEM private key) and `passphraseEnv` name environment variables. The server's host
 * key is pinned by its SHA-256 fingerprint, in the form `ssh-keygen -lf` prints
 * (`SHA256:` + 43 base64 characters): a server presenting any other key is refused, so a
 * man in the middle cannot collect our requests.
 */
import { readFileSync } from 'node:fs';
import { misconfigured, optionalString, requiredString } from '../config-readers';

export interface SftpCredentials {
  password?: string;
  privateKey?: Buffer;
  passphrase?: string;
}

export interface SftpSettings {
  host: string;
  port: number;
  username: string;
  /** `SHA256:<base64 without padding>`, as printed by `ssh-keygen -lf <key.pub>`. */
  hostKeySha256: string;
  /** Limit for connecting and for every single SFTP call. */
  timeoutMs: number;
  /** A function, so that the secrets never show up when the config is logged or serialised. */
  credentials(): SftpCredentials;
}

export const SFTP_DEFAULTS = Object.freeze({ port: 22, timeoutMs: 10_000 });

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/**
 * `endpointOverride` may be `sftp://host:port` (tests, a staging server): it replaces the host and
 * port from the file and keeps everything else.
 */
export function parseSftpSettings(
  block: unknown,
  opts: { env: NodeJS.ProcessEnv; endpointOverride?: string },
  where: string,
): SftpSettings {
  if (typeof block !== 'object' || block === null) throw misconfigured(`${where}.sftp is required when transport is "sftp"`);
  const sftp = block as Record<string, unknown>;
  const at = `${where}.sftp`;
  let host = requiredString(sftp, 'host', at);
  let port = sftp.port ?? SFTP_DEFAULTS.port;
  if (opts.endpointOverride?.startsWith('sftp://')) {
    const url = new URL(opts.endpointOverride);
    host = url.hostname;
    port = url.port ? Number(url.port) : SFTP_DEFAULTS.port;
  }
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) throw misconfigured(`${at}.port must be a port number`);
  const timeoutMs = sftp.timeoutMs ?? SFTP_DEFAULTS.timeoutMs;
  if (!Number.isInteger(timeoutMs) || (timeoutMs as number) < 100) throw misconfigured(`${at}.timeoutMs must be a whole number of milliseconds >= 100`);
  const hostKeySha256 = requiredString(sftp, 'hostKeySha256', at).replace(/=+$/, '');
  if (!FINGERPRINT.test(hostKeySha256)) throw misconfigured(`${at}.hostKeySha256 must look like "SHA256:" + 43 base64 characters (ssh-keygen -lf)`);
  const credentials = readCredentials(sftp, opts.env, at);
  return {
    host,
    port: port as number,
    username: requiredString(sftp, 'username', at),
    hostKeySha256,
    timeoutMs: timeoutMs as number,
    credentials: () => credentials,
  };
}

function readCredentials(sftp: Record<string, unknown>, env: NodeJS.ProcessEnv, at: string): SftpCredentials {
  const passwordEnv = optionalString(sftp, 'passwordEnv', at);
  const keyFileEnv = optionalString(sftp, 'privateKeyFileEnv', at);
  const passphraseEnv = optionalString(sftp, 'passphraseEnv', at);
  if (!passwordEnv && !keyFileEnv) throw misconfigured(`${at} needs passwordEnv or privateKeyFileEnv`);
  const credentials: SftpCredentials = {};
  if (passwordEnv) {
    const password = env[passwordEnv];
    if (!password) throw misconfigured(`${at}.passwordEnv: environment variable ${passwordEnv} is not set`);
    credentials.password = password;
  }
  if (keyFileEnv) {
    const file = env[keyFileEnv]?.trim();
    if (!file) throw misconfigured(`${at}.privateKeyFileEnv: environment variable ${keyFileEnv} is not set`);
    try {
      credentials.privateKey = readFileSync(file);
    } catch (error) {
      throw misconfigured(`${at}.privateKeyFileEnv: the key file named by ${keyFileEnv} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (passphraseEnv) {
    const passphrase = env[passphraseEnv];
    if (!passphrase) throw misconfigured(`${at}.passphraseEnv: environment variable ${passphraseEnv} is not set`);
    credentials.passphrase = passphrase;
  }
  return credentials;
}
