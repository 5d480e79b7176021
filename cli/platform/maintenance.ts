import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/index.js';
import { connectDatabase } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { buildWorkflowBundle } from '../../workers/workflow-source.js';
import { ensureStack } from '../../stack/launcher.js';
import { cliLogger } from '../shared.js';

/** `mlops migrate`: applies pending migrations (workers also do this when they start). */
export async function migrateCommand(config: Config): Promise<void> {
  const log = cliLogger(config, 'migrate');
  const stack = await ensureStack(config, (message) => log.info(message));
  const database = connectDatabase(stack.connections.databaseUrl);
  try {
    await migrateDatabase(database.db);
    process.stdout.write('database schema is up to date\n');
  } finally {
    await database.close();
    await stack.stop();
  }
}

/** `mlops build-workflows --out file`: the prebuilt workflow bundle production workers load (MLOPS_WORKFLOW_BUNDLE). */
export async function buildWorkflowsCommand(options: { out: string }): Promise<void> {
  const bundle = await buildWorkflowBundle();
  await mkdir(path.dirname(path.resolve(options.out)), { recursive: true });
  await writeFile(options.out, bundle.code);
  process.stdout.write(
    `workflow bundle written to ${options.out} (${Math.round(bundle.code.length / 1024)} KiB)\n`,
  );
}
