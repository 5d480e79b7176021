import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Database } from './client.js';

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

// Any fixed 64-bit number; every process that migrates takes this lock first.
const MIGRATION_LOCK = 727_001_914;

/**
 * Applies the committed migrations that this database has not seen yet. Workers, the CLI and the
 * server may all start at once: an advisory lock lets one of them migrate while the others wait,
 * and a database that is up to date makes this a no-op.
 */
export async function migrateDatabase(db: Database): Promise<void> {
  const client = await db.$client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(db, { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
