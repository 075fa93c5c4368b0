/**
 * `npm run token -- --role officer --centre NRB-GPO [--role personal-data] [--agency nrb]
 *                   [--subject jane] [--name "Jane W."] [--ttl 8h]`
 *
 * Prints a development access token (and nothing else) on stdout, for curl and the demo:
 * `curl -H "Authorization: Bearer $(npm run -s token -- --role officer --centre NRB-GPO)" ...`.
 * Signs with the key in KIUNGO_DATA_DIR, creating it if need be: no server has to be running.
 * Exit 2 on a usage error, 1 on any other failure; messages go to stderr.
 */
import { parseArgs } from 'node:util';
import { mintDevToken, parseLifetime } from '../auth/dev-token';
import { ROLES, isRole, type Role } from '../../../core/authorization/roles';
import { loadConfig } from '../config/env.schema';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const USAGE = `usage: npm run token -- --role <role> [--role <role>...] [--centre CODE] [--agency CODE] [--subject ID] [--name NAME] [--ttl 8h]
roles: ${ROLES.join(', ')}`;

class UsageError extends Error {}

/** Returns the exit code. */
export async function runTokenCli(
  argv: readonly string[],
  /** Default: the process environment, read by loadConfig. */
  env?: Readonly<Record<string, string | undefined>>,
  io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
): Promise<number> {
  try {
    const { values } = parseCommandLine(argv);
    if (values.help) {
      io.out(`${USAGE}\n`);
      return 0;
    }
    const roles = rolesFrom(values.role ?? []);
    const ttl = values.ttl ?? '8h';
    try {
      parseLifetime(ttl);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const config = loadConfig(env);
    if (config.oidcIssuerUrl) {
      throw new UsageError(
        `OIDC_ISSUER_URL is set, so the server accepts only tokens from ${config.oidcIssuerUrl}; get one from the identity provider`,
      );
    }
    const token = await mintDevToken(
      { roles, centre: values.centre, agency: values.agency, subject: values.subject, name: values.name, expiresIn: ttl },
      config,
    );
    io.out(`${token}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`token: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    io.err(`token: ${(error as Error).message}\n`);
    return 1;
  }
}

function parseCommandLine(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        role: { type: 'string', multiple: true, short: 'r' },
        centre: { type: 'string' },
        agency: { type: 'string' },
        subject: { type: 'string' },
        name: { type: 'string' },
        ttl: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--role officer --role personal-data` or `--role officer,personal-data`. */
function rolesFrom(given: readonly string[]): Role[] {
  const names = given.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError('give at least one --role');
  const unknown = names.filter((name) => !isRole(name));
  if (unknown.length > 0) throw new UsageError(`unknown role ${unknown.map((u) => `"${u}"`).join(', ')}; roles are: ${ROLES.join(', ')}`);
  return names.filter(isRole);
}

if (require.main === module) {
  void runTokenCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
