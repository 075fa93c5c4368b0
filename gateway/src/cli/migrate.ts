/**
 * `npm run migrate [-- up|down] [--steps N]`
 * Migrates DATABASE_URL, or, when it is unset, the embedded database in KIUNGO_DATA_DIR
 * (default .kiungo). Down reverts one migration unless --steps says otherwise.
 */
import { parseArgs } from 'node:util';
import { migrate, type MigrationDirection } from '../../../core/db/migrate';
import { createPool } from '../../../core/db/pool';
import { loadToolConfig } from '../config/env.schema';
import { EMBEDDED_POOL_MAX, startEmbeddedDatabase, type EmbeddedDatabase } from '../embedded/pglite-server';

export interface MigrateCommand {
  direction: MigrationDirection;
  steps?: number;
}

const USAGE = 'Usage: npm run migrate [-- up|down] [--steps N]';

export function parseMigrateArgs(args: readonly string[]): MigrateCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], strict: true, allowPositionals: true, options: { steps: { type: 'string' } } });
  } catch (error) {
    throw new Error(`${(error as Error).message}. ${USAGE}`);
  }
  const { values, positionals } = parsed;
  const unknown = positionals.find((arg) => arg !== 'up' && arg !== 'down');
  if (unknown !== undefined || positionals.length > 1) throw new Error(`Unknown argument ${unknown ?? positionals[1]}. ${USAGE}`);
  const direction: MigrationDirection = positionals[0] === 'down' ? 'down' : 'up';
  if (values.steps === undefined) return { direction, steps: undefined };
  const steps = Number(values.steps);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps needs a positive whole number, got ${values.steps}`);
  return { direction, steps };
}

export async function runMigrateCommand(args: readonly string[], env?: Readonly<Record<string, string | undefined>>): Promise<void> {
  const command = parseMigrateArgs(args);
  const { databaseUrl, dataDir } = loadToolConfig(env);
  let embedded: EmbeddedDatabase | undefined;
  let url = databaseUrl;
  if (!url) {
    embedded = await startEmbeddedDatabase({ dataDir });
    url = embedded.url;
    console.log(`Embedded database in ${dataDir}`);
  }
  const pool = createPool({ url, max: embedded ? EMBEDDED_POOL_MAX : 1, applicationName: 'kiungo-migrate' });
  try {
    const runs = await migrate(pool, { ...command, log: (line) => console.log(line) });
    if (runs.length === 0) console.log(command.direction === 'up' ? 'Nothing to apply.' : 'Nothing to revert.');
  } finally {
    await pool.end();
    await embedded?.close();
  }
}

if (require.main === module) {
  runMigrateCommand(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
