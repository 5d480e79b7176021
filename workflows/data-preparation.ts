import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  patched,
  setCurrentDetails,
  sleep,
  TimeoutFailure,
  upsertSearchAttributes,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import { stageAttribute } from '../contracts/search-attributes.js';
import type { PipelineActivities } from '../contracts/pipeline-stages.js';
import { errorTypes, nonRetryableErrorTypes } from '../contracts/errors.js';
import type { DatasetVersionRef } from '../contracts/pipeline.js';
import type { PipelineSpec } from '../spec/types.js';
import { scratchActivities, summarized } from './pipeline-activities.js';
import type { ProgressTracker } from './progress.js';

const MAX_STAGING_ATTEMPTS = 3;
/** Attempts of one scratch activity on the worker that holds the data (retried by the workflow). */
const MAX_SCRATCH_ATTEMPTS = 3;
/** Runs from here on retry scratch activities themselves (see scratchActivities). */
export const SCRATCH_RETRIES_IN_WORKFLOW = 'scratch-retries-in-workflow';

/**
 * Ingest, validate and de-identify. Raw data never leaves the worker that read it: ingest stages
 * it on that worker's disk, and validation and de-identification run there through the worker's
 * own task queue; only the de-identified snapshot reaches S3. If that worker dies midway the
 * staged data is gone, so the three stages start over on another worker.
 */
export async function prepareDataset(
  data: ActivityInterfaceFor<PipelineActivities>,
  input: {
    pipelineRunId: number;
    spec: PipelineSpec;
    noCache: boolean;
    /** Runs from the 'searchable-runs' patch on set MlopsStage in these stages too. */
    searchable: boolean;
  },
  progress: ProgressTracker,
): Promise<DatasetVersionRef> {
  const { spec, pipelineRunId, noCache } = input;
  const enter = (stage: 'ingest' | 'validate' | 'deidentify', detail?: string) => {
    progress.start(stage, detail);
    if (!input.searchable) return;
    upsertSearchAttributes([{ key: stageAttribute, value: stage }]);
    setCurrentDetails(`**${stage}**${detail ? `: ${detail}` : ''}`);
  };
  const piiRules = `drop ${spec.pii.drop.length}, hash ${spec.pii.hash.length + (spec.pii.hashed?.length ?? 0)} column(s)`;
  for (let attempt = 1; ; attempt += 1) {
    enter(
      'ingest',
      attempt > 1 ? `staging again (attempt ${attempt}): the worker holding the data was lost` : undefined,
    );
    const ingested = await summarized(data.ingestStage, `ingest ${spec.dataset.uri}`, {
      pipelineRunId,
      noCache,
      pipelineName: spec.name,
      dataset: spec.dataset,
      pii: spec.pii,
      target: spec.target,
      validation: spec.validation,
    });
    if (ingested.kind === 'cached') {
      for (const stage of ['ingest', 'validate', 'deidentify'] as const) {
        progress.finish(stage, {
          cacheHit: true,
          detail: `${ingested.dataset.rows} rows (dataset version ${ingested.dataset.datasetVersionId})`,
        });
      }
      return ingested.dataset;
    }
    progress.finish('ingest', {
      detail: `${ingested.rows} rows staged on ${ingested.scratch.workerIdentity}`,
    });
    const retriedByWorkflow = patched(SCRATCH_RETRIES_IN_WORKFLOW);
    const onScratch = scratchActivities(ingested.scratch.taskQueue, retriedByWorkflow);
    const attempts = retriedByWorkflow ? retryingOnScratch : <T>(call: () => Promise<T>) => call();
    try {
      enter('validate');
      const expectations = Object.keys(spec.validation.columns).length;
      const validated = await attempts(() =>
        summarized(
          onScratch.validateStage,
          `validate ${ingested.rows} rows: ${expectations} column expectation(s)`,
          {
            pipelineRunId,
            noCache,
            scratch: ingested.scratch,
            target: spec.target,
            validation: spec.validation,
            pii: spec.pii,
          },
        ),
      );
      progress.finish('validate', { detail: `${validated.rows} rows meet every expectation` });
      enter('deidentify');
      const dataset = await attempts(() =>
        summarized(onScratch.deidentifyStage, `de-identify: ${piiRules}, snapshot to S3`, {
          pipelineRunId,
          noCache,
          pipelineName: spec.name,
          scratch: ingested.scratch,
          pii: spec.pii,
          cacheKey: ingested.cacheKey,
          source: { uri: spec.dataset.uri, sha256: ingested.sourceSha256, query: spec.dataset.query },
        }),
      );
      const piiColumns = spec.pii.drop.length + spec.pii.hash.length;
      progress.finish('deidentify', {
        detail: piiColumns
          ? `${spec.pii.drop.length} dropped, ${spec.pii.hash.length} hashed`
          : 'no PII columns declared',
      });
      return dataset;
    } catch (error) {
      if (attempt >= MAX_STAGING_ATTEMPTS || !stagedDataLost(error)) throw error;
    }
  }
}

/**
 * One scratch activity, retried on the same worker with backoff as its retry policy did, except
 * when the data is lost (no retry there can succeed): that, a bad-input error or the last attempt
 * goes to prepareDataset.
 */
async function retryingOnScratch<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= MAX_SCRATCH_ATTEMPTS || stagedDataLost(error) || !retryable(error)) throw error;
      await sleep(2000 * 2 ** (attempt - 1));
    }
  }
}

/**
 * The worker holding the staged data is gone or lost it: it said so (ScratchLost), its queue has
 * no poller (schedule-to-start), or it stopped heartbeating mid-stage (killed, or its machine lost).
 */
function stagedDataLost(error: unknown): boolean {
  if (!(error instanceof ActivityFailure)) return false;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure && cause.type === errorTypes.scratchLost.type) return true;
  return (
    cause instanceof TimeoutFailure &&
    (cause.timeoutType === 'SCHEDULE_TO_START' || cause.timeoutType === 'HEARTBEAT')
  );
}

function retryable(error: unknown): boolean {
  // A cancelled run ends here; so does anything but an activity's own failure.
  if (!(error instanceof ActivityFailure) || isCancellation(error)) return false;
  const cause = error.cause;
  return !(
    cause instanceof ApplicationFailure &&
    (cause.nonRetryable || nonRetryableErrorTypes.includes(cause.type ?? ''))
  );
}
