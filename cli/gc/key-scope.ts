import { keySegment } from '../../storage/keys.js';

/**
 * Which keys of the bucket `mlops gc` may consider: the shapes the platform writes, the prefixes it
 * lists, and the prefixes of running pipelines it must leave alone (cli/gc/retention.ts).
 */

/**
 * The families of keys the platform writes (storage/artifact-store.ts artifactKeys), by what follows
 * the family: `<name>/<sha256>.<ext>`, models' `<name>/files/<sha256>.<ext>`, reports'
 * `<name>/<version>/report.html`. Trainer code (`code/`) is left alone: schedules, which live in
 * Temporal rather than the database, name archives no run has used yet. Anything else in the bucket
 * (a user's raw data under `datasets/`, another tool's objects) is never an orphan.
 */
// Segments as keySegment makes them (and validation's run folders): a listed key with anything
// else was not written by the platform, and the store would refuse to delete it anyway.
const platformKeyShapes: readonly RegExp[] = [
  /^(datasets|splits|checkpoints|logs|curves|evaluations|validation)\/[A-Za-z0-9_.-]+\/[0-9a-f]{64}\.[a-z.]+$/,
  /^models\/[A-Za-z0-9_.-]+\/files\/[0-9a-f]{64}\.[a-z.]+$/,
  /^reports\/[A-Za-z0-9_.-]+\/\d+\/report\.html$/,
];

export function isPlatformKey(key: string): boolean {
  return platformKeyShapes.some((shape) => shape.test(key));
}

export const familiesByName = [
  'datasets',
  'splits',
  'models',
  'checkpoints',
  'logs',
  'curves',
  'evaluations',
  'reports',
];

/** The datasets a model's runs snapshot: its training data and its production data (activities/loop). */
export function modelDatasetNames(model: string): string[] {
  return [model, `${model}-production`];
}

/** Where the sweep for orphans lists: the whole platform's families, or one model's prefixes. */
export function sweptPrefixes(model: string | undefined): string[] {
  if (model === undefined) return [...familiesByName, 'validation'].map((family) => `${family}/`);
  const segments = new Set(
    modelDatasetNames(model)
      .map(safeSegment)
      .filter((segment) => segment !== undefined),
  );
  return familiesByName.flatMap((family) => [...segments].map((segment) => `${family}/${segment}/`));
}

export function isBusy(key: string | undefined, prefixes: readonly string[]): boolean {
  return key !== undefined && prefixes.some((prefix) => key.startsWith(prefix));
}

/** The key of a URI in `bucket`; undefined for another bucket's (never this store's to delete). */
export function keyOfUri(uri: string, bucket: string): string | undefined {
  const prefix = `s3://${bucket}/`;
  return uri.startsWith(prefix) ? uri.slice(prefix.length) : undefined;
}

export function safeSegment(name: string): string | undefined {
  try {
    return keySegment(name);
  } catch {
    return undefined;
  }
}
