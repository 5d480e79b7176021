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
  const connections = withConfiguredS3Keys(stack.connections, process.env);
  const database = connectDatabase(connections.databaseUrl);
  try {
    await migrateDatabase(database.db);
  } finally {
    await database.close();
  }
  project.provide('connections', connections);
  project.provide('stackHome', home);
  return async () => {
    await stack.stop();
  };
}

/**
 * An S3 server configured elsewhere (`npm run test:compat` points S3_ENDPOINT at a second
 * implementation) is signed for with the key pair of the environment. The stack leaves such keys to
 * the AWS SDK's credential chain; the tests hand them on explicitly instead, so the processes they
 * start (which get the stack's variables, not the whole environment) and the tests that forge
 * signatures with the stack's access key have them too.
 */
function withConfiguredS3Keys(connections: Connections, env: NodeJS.ProcessEnv): Connections {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  if (connections.s3.credentials || !accessKeyId || !secretAccessKey) return connections;
  return { ...connections, s3: { ...connections.s3, credentials: { accessKeyId, secretAccessKey } } };
}
