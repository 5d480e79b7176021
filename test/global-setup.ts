import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../config/index.js';
import type { Connections } from '../config/connections.js';
import { connectDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { ensureStack } from '../stack/launcher.js';

declare module 'vitest' {
  export interface ProvidedContext {
    connections: Connections;
    stackHome: string;
  }
}

/**
 * One embedded stack per test run, started by the same launcher the CLI uses, under
 * `.mlops/test` (a running one is joined). Tests isolate themselves with unique names and task
 * queues, never by starting services of their own (except the launcher's own tests).
 */
export default async function setup(project: TestProject) {
  const home = path.resolve(process.env.MLOPS_TEST_HOME ?? '.mlops/test');
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
