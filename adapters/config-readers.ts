/**
 * What the adapter kinds' config readers (rest, soap, file-drop, sftp) share. The readers check
 * nothing the catalogue loader has checked against agency-file.v1.json; a `misconfigured` outcome
 * is for what only shows at run time (an unset environment variable, an unreadable file, a URL
 * from the environment), with a message that names the setting, never a secret's value.
 */
import { AgencyCallError } from './agency-adapter.port';

export function misconfigured(reason: string): AgencyCallError {
  return new AgencyCallError('misconfigured', reason);
}

/** A `requestMap` / `resultMap`, copied so that an adapter never shares objects with the catalogue. */
export function copyMap(map: Readonly<Record<string, string | undefined>> | undefined): Record<string, string> | undefined {
  return map === undefined ? undefined : ({ ...map } as Record<string, string>);
}
