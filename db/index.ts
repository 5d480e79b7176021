export { connectDatabase, type Database, type DatabaseHandle } from './client.js';
export { migrateDatabase, migrationsFolder } from './migrate.js';
export * as schema from './schema.js';
export * from './queries/runs.js';
export * from './queries/artifacts.js';
