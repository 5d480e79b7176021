/**
 * The chaos run's PostgreSQL and S3 outages, each aimed at the stages the issue names. The first
 * S3 freeze begins before the pipelines are submitted, so every ingest uploads its snapshot into
 * it, and a canary is added during it, so serving loads a model from an S3 that hangs. PostgreSQL
 * freezes once a pipeline registers or promotes (waiting up to a while for one, then freezing
 * anyway and saying so); further S3 freezes wait for an ingest the same way. Every outage records
 * the stages it hit. They run alongside the kills and restarts.
 */
import type { Connections } from '../../config/connections.js';
import type { Database } from '../../db/client.js';
import { stopPostgres, stopS3, type FaultKind, type FaultRecord } from './faults.js';
import { POSTGRES_TARGETS, S3_TARGETS, stagesDuring, waitForStage } from './targets.js';

export interface OutageOptions {
  readonly home: string;
  readonly connections: Connections;
  readonly db: Database;
  readonly postgresStops: readonly number[];
  readonly s3Stops: readonly number[];
  /** How long an aimed outage waits for its target stage before it happens anyway. */
  readonly targetWaitMs: number;
  /** When the run started (performance.now()), for the records' times. */
  readonly startedAt: number;
  readonly log: (line: string) => void;
}

export interface Outages<T> {
  /** What `submit` returned, as soon as it did (inside the first S3 freeze). */
  readonly submitted: Promise<T>;
  /** Every outage's record, once the last is over. */
  readonly faults: Promise<FaultRecord[]>;
}

/** Runs `submit` (it submits the pipelines) inside the first S3 freeze, then the aimed outages. */
export function runOutages<T extends readonly { workflowId: string }[]>(
  options: OutageOptions,
  submit: () => Promise<T>,
  addCanary?: () => Promise<void>,
): Outages<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const submitted = new Promise<T>((onValue, onError) => {
    resolve = onValue;
    reject = onError;
  });
  const submitNow = async () => {
    try {
      resolve(await submit());
    } catch (error) {
      reject(error);
      throw error;
    }
  };
  const { s3Stops, postgresStops, home, connections } = options;
  const faults = (async () => {
    const [first, ...moreS3] = s3Stops;
    const records: FaultRecord[] = [];
    if (first === undefined) await submitNow();
    else
      records.push(
        await outage(options, submitted, 'stop-s3', 'as the pipelines were submitted', () =>
          stopS3(home, connections, first, async () => {
            await addCanary?.();
            await submitNow();
          }),
        ),
      );
    const ids = (await submitted).map((run) => run.workflowId);
    const aimed = async (kind: FaultKind, durations: readonly number[], targets: readonly string[]) => {
      const done: FaultRecord[] = [];
      for (const ms of durations) {
        const found = await waitForStage(options.db, ids, targets, options.targetWaitMs);
        const aim = found.length
          ? `aimed at ${found.join(', ')}`
          : `no ${targets.join('/')} within ${options.targetWaitMs / 1000} s`;
        done.push(
          await outage(options, submitted, kind, aim, () =>
            kind === 'stop-s3' ? stopS3(home, connections, ms) : stopPostgres(home, connections, ms),
          ),
        );
      }
      return done;
    };
    const [s3, postgres] = await Promise.all([
      aimed('stop-s3', moreS3, S3_TARGETS),
      aimed('stop-postgres', postgresStops, POSTGRES_TARGETS),
    ]);
    return [...records, ...s3, ...postgres];
  })();
  return { submitted, faults };
}

/** One outage, timed, with the stages that ran during it. */
async function outage(
  options: OutageOptions,
  submitted: Promise<readonly { workflowId: string }[]>,
  kind: FaultKind,
  aim: string,
  freeze: () => Promise<number>,
): Promise<FaultRecord> {
  const atMs = performance.now() - options.startedAt;
  const from = new Date();
  const recoveryMs = await freeze();
  const ids = (await submitted).map((run) => run.workflowId);
  const stages = await stagesDuring(options.db, ids, from, new Date());
  options.log(
    `${kind} at ${(atMs / 1000).toFixed(1)} s (${aim}), answered again after ${(recoveryMs / 1000).toFixed(1)} s; stages it hit: ${stages.join(', ') || 'none'}`,
  );
  return { kind, atMs, recoveryMs, stages };
}
