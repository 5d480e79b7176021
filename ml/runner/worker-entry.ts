/**
 * Where the worker's code is: training-worker.js next to this module in a compiled build, or
 * training-worker.ts through a small tsx bootstrap when running from TypeScript source.
 */
import type { WorkerOptions } from 'node:worker_threads';

export interface WorkerEntry {
  readonly url: URL;
  /** Extra workerData the entry needs (the bootstrap's target). */
  readonly extraData: Readonly<Record<string, string>>;
  readonly options: Pick<WorkerOptions, 'execArgv'>;
}

export function workerEntry(moduleUrl: string = import.meta.url): WorkerEntry {
  if (/\.[cm]?ts$/.test(new URL(moduleUrl).pathname)) {
    return {
      url: new URL('./typescript-worker-bootstrap.mjs', moduleUrl),
      extraData: { entryUrl: new URL('./training-worker.ts', moduleUrl).href },
      options: { execArgv: [] },
    };
  }
  return { url: new URL('./training-worker.js', moduleUrl), extraData: {}, options: { execArgv: [] } };
}
