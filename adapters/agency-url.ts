/**
 * Where an HTTP agency (rest, soap) is reached: an explicit override (the embedded demo, the
 * conformance kit's --endpoint) wins over the environment variable the agency file names, which
 * wins over the URL in the file. The URL must be http(s), and https when a client certificate is
 * configured. Messages name the setting, never the URL (it may carry credentials).
 */
import type { AdapterFactoryOptions } from './agency-adapter.port';
import { misconfigured } from './config-readers';

export interface AgencyUrlSetting {
  /** What the URL is called in messages: `base URL`, `SOAP endpoint`. */
  what: string;
  configured?: string;
  envName?: string;
  /** Set when a client certificate is configured: what needs https (`mTLS`, `a client certificate`). */
  httpsFor?: string;
}

/** The URL to call, or undefined when none is configured anywhere. */
export function resolveAgencyUrl(agencyCode: string, setting: AgencyUrlSetting, opts: Pick<AdapterFactoryOptions, 'env' | 'endpointOverride'>): string | undefined {
  const fromEnv = setting.envName ? opts.env[setting.envName] : undefined;
  const value = opts.endpointOverride || fromEnv || setting.configured;
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw misconfigured(`agency ${agencyCode}: ${setting.what} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw misconfigured(`agency ${agencyCode}: ${setting.what} must be http or https`);
  if (setting.httpsFor && url.protocol !== 'https:') throw misconfigured(`agency ${agencyCode}: ${setting.httpsFor} needs an https ${setting.what}`);
  return value;
}
