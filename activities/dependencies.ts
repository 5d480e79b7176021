import { Context } from '@temporalio/activity';
import type { Logger } from '../config/logger.js';
import type { SourcePolicy } from '../data/index.js';
import type { Database } from '../db/client.js';
import type { ArtifactStore } from '../storage/artifact-store.js';

/**
 * A CPU worker's local scratch space and the task queue that reaches exactly this worker. Stages
 * that must not send raw data anywhere (validation and de-identification of staged input) run
 * there, on the worker that read the data (Temporal's worker-specific task queue pattern).
 */
export interface ScratchSpace {
  readonly taskQueue: string;
  readonly directory: string;
}

/** The GPU a GPU-pool activity holds (the worker assigns one per activity) and how to meter it. */
export interface GpuContext {
  /** The device index the running activity holds; undefined outside the GPU pool. */
  currentDevice(): number | undefined;
  /** Starts integrating the device's power draw; `stop` gives joules, or null where it cannot be read. */
  sampleEnergy(device: number): { stop(): Promise<number | null> };
}

/** What activities need from the outside world, handed to the factory: no module-level clients. */
export interface ActivityDependencies {
  readonly db: Database;
  readonly artifacts: ArtifactStore;
  readonly log: Logger;
  /** `host/pool/pid` of the worker running the activity; recorded with every stage run. */
  readonly workerIdentity: string;
  readonly codeVersion: string;
  /** For each stage's energy estimate (MLOPS_CPU_WATTS_PER_CORE). */
  readonly cpuWattsPerCore: number;
  /** How often training stores a checkpoint (MLOPS_CHECKPOINT_INTERVAL). */
  readonly checkpointIntervalMs: number;
  /** This worker's local scratch space and its own task queue (CPU pool only). */
  readonly scratch?: ScratchSpace;
  /** Secret for `pii.hash` columns; undefined when the worker has none (MLOPS_PII_HMAC_KEY). */
  readonly piiHmacKey?: string;
  /** The GPU pool's device assignment; absent on the CPU pool. */
  readonly gpu?: GpuContext;
  /** Folders local dataset paths may be read from: the working directory and MLOPS_DATA_ROOTS. */
  readonly dataRoots: readonly string[];
  /** Folders never read as data even inside a root: the platform's state (MLOPS_HOME). */
  readonly stateFolders: readonly string[];
  /** Which buckets and hosts remote dataset sources may come from (data/source-policy.ts). */
  readonly sourcePolicy: SourcePolicy;
}

/** The dependencies' logger bound to the running activity: workflow id, activity and attempt on every line. */
export function activityLogger(log: Logger): Logger {
  const { info } = Context.current();
  return log.child({
    workflowId: info.workflowExecution?.workflowId,
    activity: info.activityType,
    attempt: info.attempt,
  });
}
