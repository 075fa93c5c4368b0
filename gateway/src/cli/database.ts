import type { Pool } from 'pg';
import { createPool } from '../../../core/db/pool';
import type { AppConfig } from '../config/app-config';
import { EMBEDDED_POOL_MAX, startEmbeddedDatabase } from '../embedded/pglite-server';

/**
 * A command's database: DATABASE_URL, or the embedded one in KIUNGO_DATA_DIR (which only one
 * process may open: stop `npm start` first). Closed when `work` ends.
 */
export async function withCommandDatabase<T>(config: AppConfig, name: string, work: (pool: Pool) => Promise<T>): Promise<T> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedDatabase({ dataDir: config.dataDir });
  const pool = createPool({ url: config.databaseUrl ?? embedded!.url, max: embedded ? EMBEDDED_POOL_MAX : 2, applicationName: `kiungo-${name}` });
  try {
    return await work(pool);
  } finally {
    await pool.end();
    await embedded?.close();
  }
}
