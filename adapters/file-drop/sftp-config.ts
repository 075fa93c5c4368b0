/**
 * The `sftp` block of a file-drop agency (`transport: "sftp"`), read into connection settings.
 * Secrets never sit in the agency file: `passwordEnv`, `privateKeyFileEnv` (a file holding an
 * OpenSSH or PEM private key) and `passphraseEnv` name environment variables. The server's host
 * key is pinned by its SHA-256 fingerprint, in the form `ssh-keygen -lf` prints
 * (`SHA256:` + 43 base64 characters): a server presenting any other key is refused, so a
 * man in the middle cannot collect our requests. The catalogue loader has checked the block
 * against agency-file.v1.json; what is refused here only shows at run time (an unset variable, a
 * key file that cannot be read).
 */
import { readFileSync } from 'node:fs';
import type { FileDropAdapterBlock } from '../../contracts/src/agency-adapter.types';
import { misconfigured } from '../config-readers';
import { FILE_DROP_SFTP_DEFAULTS } from '../../contracts/src/kinds/file-drop.kind';

type SftpBlock = NonNullable<FileDropAdapterBlock['sftp']>;

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

/**
 * `endpointOverride` may be `sftp://host:port` (tests, a staging server): it replaces the host and
 * port from the file and keeps everything else.
 */
export function parseSftpSettings(sftp: SftpBlock, opts: { env: NodeJS.ProcessEnv; endpointOverride?: string }, where: string): SftpSettings {
  const override = opts.endpointOverride?.startsWith('sftp://') ? new URL(opts.endpointOverride) : undefined;
  const credentials = readCredentials(sftp, opts.env, `${where}.sftp`);
  return {
    host: override ? override.hostname : sftp.host,
    port: override ? Number(override.port || FILE_DROP_SFTP_DEFAULTS.port) : (sftp.port ?? FILE_DROP_SFTP_DEFAULTS.port),
    username: sftp.username,
    // ssh-keygen prints no padding; the schema allows one `=`.
    hostKeySha256: sftp.hostKeySha256.replace(/=+$/, ''),
    timeoutMs: sftp.timeoutMs ?? FILE_DROP_SFTP_DEFAULTS.timeoutMs,
    credentials: () => credentials,
  };
}

function readCredentials(sftp: SftpBlock, env: NodeJS.ProcessEnv, at: string): SftpCredentials {
  const { passwordEnv, privateKeyFileEnv: keyFileEnv, passphraseEnv } = sftp;
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
