/**
 * `npm run seed` (`node scripts/run-ts.cjs gateway/src/centres/seed.cli.ts`), no arguments.
 * Inserts the demo Huduma centres (from the catalogue in KIUNGO_CATALOGUE_DIR) that do not exist
 * yet into DATABASE_URL, or into the embedded database in KIUNGO_DATA_DIR. Idempotent: existing
 * centres are never changed. Production deployments usually configure centres through
 * PUT /v1/centres/{code} instead; embedded mode seeds at start (KIUNGO_SEED_CENTRES).
 */
import { parseArgs } from 'node:util';
import { loadCatalogue } from '../../../contracts/src/catalogue.loader';
import { AuditLog } from '../../../core/audit/audit-log';
import { migrate } from '../../../core/db/migrate';
import { createPool } from '../../../core/db/pool';
import { demoCentres } from '../../../core/centres/demo-centres';
import { PgCentreRepository } from '../../../core/centres/pg/centre.pg-repository';
import { loadToolConfig } from '../config/env.schema';
import { EMBEDDED_POOL_MAX, startEmbeddedDatabase, type EmbeddedDatabase } from '../embedded/pglite-server';

export async function runSeedCommand(env?: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  const { databaseUrl, dataDir, catalogueDir } = loadToolConfig(env);
  let embedded: EmbeddedDatabase | undefined;
  let url = databaseUrl;
  if (!url) {
    embedded = await startEmbeddedDatabase({ dataDir });
    url = embedded.url;
  }
  const pool = createPool({ url, max: embedded ? EMBEDDED_POOL_MAX : 2, applicationName: 'kiungo-seed' });
  try {
    await migrate(pool);
    const catalogue = loadCatalogue(catalogueDir);
    const centres = new PgCentreRepository(pool, await AuditLog.open(pool));
    return await centres.seedMissing(demoCentres(catalogue), 'system:seed', new Date());
  } finally {
    await pool.end();
    await embedded?.close();
  }
}

if (require.main === module) {
  // No options: anything given is a mistake worth saying so (exit 2), not something to ignore.
  try {
    parseArgs({ args: process.argv.slice(2), strict: true, allowPositionals: false, options: {} });
  } catch (error) {
    console.error(`seed: ${(error as Error).message}. Usage: npm run seed (configured by DATABASE_URL, KIUNGO_DATA_DIR, KIUNGO_CATALOGUE_DIR)`);
    process.exit(2);
  }
  runSeedCommand()
    .then((inserted) => console.log(inserted.length ? `Seeded ${inserted.join(', ')}` : 'All demo centres already exist.'))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
