/**
 * Secrets an agency file names by environment variable (tokens, passwords, client certificate
 * files), read once when a connection opens. A missing variable or unreadable file is a
 * configuration fault named by the VARIABLE, never by its value.
 */
import { readFileSync } from 'node:fs';
import type https from 'node:https';
import { AgencyCallError, NOT_SENT } from './agency-adapter.port';

/** The variables naming a client certificate, its key and (optionally) the CA to trust. */
export interface ClientCertificateEnv {
  certFileEnv: string;
  keyFileEnv: string;
  caFileEnv?: string;
}

export function secret(env: NodeJS.ProcessEnv, variable: string): string {
  const value = env[variable];
  if (!value) throw new AgencyCallError('misconfigured', `environment variable ${variable} is not set`, NOT_SENT);
  return value;
}

export function readSecretFile(env: NodeJS.ProcessEnv, variable: string): Buffer {
  const file = secret(env, variable);
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new AgencyCallError('misconfigured', `file named by ${variable} cannot be read (${code})`, NOT_SENT);
  }
}

/** TLS options for an https.Agent that presents a client certificate (mTLS). */
export function readClientCertificate(tls: ClientCertificateEnv, env: NodeJS.ProcessEnv): https.AgentOptions {
  return {
    cert: readSecretFile(env, tls.certFileEnv),
    key: readSecretFile(env, tls.keyFileEnv),
    ...(tls.caFileEnv && { ca: readSecretFile(env, tls.caFileEnv) }),
  };
}
