/**
 * `npm run migrate [-- up|down] [--steps N]`
 * Migrates DATABASE_URL, or, when it is unset, the embedded database in KIUNGO_DATA_DIR
 * (default .kiungo). Down reverts one migration unless --steps says otherwise.
 */
import { migrate, type MigrationDirection } from '../../../core/db/migrate';
import { createPool } from '../../../core/db/pool';
import { EMBEDDED_POOL_MAX, startEmbeddedDatabase, type EmbeddedDatabase } from '../embedded/pglite-server';

export interface MigrateCommand {
  direction: MigrationDirection;
  steps?: number;
}

export function parseMigrateArgs(args: readonly string[]): MigrateCommand {
  let direction: MigrationDirection = 'up';
  let steps: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === 'up' || arg === 'down') {
      direction = arg;
    } else if (arg === '--steps' || arg.startsWith('--steps=')) {
      const value = arg === '--steps' ? args[++i] : arg.slice('--steps='.length);
      steps = Number(value);
      if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps needs a positive whole number, got ${value}`);
    } else {
      throw new Error(`Unknown argument ${arg}. Usage: npm run migrate [-- up|down] [--steps N]`);
    }
  }
  return { direction, steps };
}

export async function runMigrateCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const command = parseMigrateArgs(args);
  let embedded: EmbeddedDatabase | undefined;
  let url = env.DATABASE_URL;
  if (!url) {
    const dataDir = env.KIUNGO_DATA_DIR || '.kiungo';
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
