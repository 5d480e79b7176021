import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../config/index.js';
import type { Connections } from '../config/connections.js';
import { connectDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { ensureStack } from '../stack/launcher.js';
import { removeStackHome } from './support/stack-home.js';

declare module 'vitest' {
  export interface ProvidedContext {
    connections: Connections;
    stackHome: string;
  }
}

/**
 * One embedded stack per test run, started by the same launcher the CLI uses, under
 * `.mlops/test` (a running one is joined). Tests isolate themselves with unique names and task
 * queues, never by starting services of their own (except the launcher's own tests). A run that
 * starts the stack starts it empty: what an earlier run registered and cached (same example specs,
 * same model names) would otherwise be found again, as cache hits and later version numbers.
 */
export default async function setup(project: TestProject) {
  const home = path.resolve(process.env.MLOPS_TEST_HOME ?? '.mlops/test');
  await removeStackHome(home);
  const config = loadConfig({ ...process.env, MLOPS_HOME: home });
  const stack = await ensureStack(config);
  const database = connectDatabase(stack.connections.databaseUrl);
  try {
    await migrateDatabase(database.db);
  } finally {
    await database.close();
  }
  project.provide('connections', stack.connections);
  project.provide('stackHome', home);
  return async () => {
    await stack.stop();
  };
}
