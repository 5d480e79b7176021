import { createRequire } from 'node:module';
import { Context } from '@temporalio/activity';
import proto from '@temporalio/proto';
import { addLineageEdge, upsertArtifact } from '../../db/queries/artifacts.js';
import { eq } from 'drizzle-orm';
import {
  findVersionByModelFile,
  recordAuditEvent,
  registerModelVersion,
  setAlias,
  type ModelVersion,
} from '../../db/queries/registry.js';
import { artifacts } from '../../db/schema.js';
import type { ActivityDependencies } from '../dependencies.js';
import { recordStage } from '../stage-recorder.js';
import type { RegisterInput, RegisterOutput } from './types.js';

const CHAMPION = 'champion';

/** Registering model versions and asking Temporal about workers: quick, idempotent bookkeeping. */
export function createRegistryActivities(deps: ActivityDependencies) {
  return {
    /**
     * Registers the run's model version (numbered per model, once per pipeline run however often
     * this is retried), links it to its dataset, model file and evaluation, and makes it the
     * champion when asked and every gate passed.
     */
    async registerStage(input: RegisterInput): Promise<RegisterOutput> {
      const stage = {
        pipelineRunId: input.pipelineRunId,
        stage: 'register',
        params: { promote: input.promote },
      };
      const { result } = await recordStage(deps, stage, async () => {
        const modelFile = await upsertArtifact(deps.db, { ...input.model, kind: 'model' });
        const evaluation = await upsertArtifact(deps.db, { ...input.evaluation, kind: 'evaluation' });
        const rejected = input.rejectionReasons !== null && input.rejectionReasons.length > 0;
        const existing = input.reuseExistingVersion
          ? await findVersionByModelFile(deps.db, input.modelName, modelFile.id)
          : undefined;
        if (existing) return reuse(deps, input, existing, rejected);
        const { version, created } = await registerModelVersion(deps.db, input.modelName, input.recipe.task, {
          registrationKey: input.workflowId,
          status: rejected ? 'rejected' : 'registered',
          pipelineRunId: input.pipelineRunId,
          datasetVersionId: input.recipe.dataset.datasetVersionId,
          modelArtifactId: modelFile.id,
          metrics: input.metrics,
          params: { trainer: input.recipe.trainer, ...input.recipe.params, seed: input.recipe.seed },
          fairness: input.fairness,
          gates: [...input.gates],
          rejectionReasons: rejected ? [...(input.rejectionReasons ?? [])] : null,
          codeVersion: deps.codeVersion,
          runtime: runtimeVersions(),
        });
        const modelVersion = { kind: 'model_version' as const, id: version.id };
        await addLineageEdge(
          deps.db,
          { kind: 'dataset_version', id: input.recipe.dataset.datasetVersionId },
          modelVersion,
          'trained_on',
        );
        await addLineageEdge(deps.db, { kind: 'artifact', id: modelFile.id }, modelVersion, 'model_file');
        await addLineageEdge(deps.db, { kind: 'artifact', id: evaluation.id }, modelVersion, 'evaluation');
        await addLineageEdge(
          deps.db,
          { kind: 'pipeline_run', id: input.pipelineRunId },
          modelVersion,
          'produced',
        );
        await recordAuditEvent(deps.db, {
          eventKey: `${input.workflowId}:register`,
          subjectKind: 'model',
          subject: input.modelName,
          action: rejected ? 'register-rejected' : 'register',
          actor: `pipeline ${input.workflowId}`,
          reason: rejected ? (input.rejectionReasons ?? []).join('; ') : 'every gate passed',
          after: { version: version.version },
        });
        const promoted = input.promote && !rejected;
        if (promoted)
          await promoteToChampion(deps, input, version, 'deploy.promote is set and every gate passed', true);
        return { modelVersionId: version.id, version: version.version, promoted, created, reportUri: null };
      });
      return result;
    },

    /** How many workers poll a task queue for activities right now. */
    async taskQueuePollers(input: { taskQueue: string }): Promise<{ pollers: number }> {
      const { client, info } = Context.current();
      const response = await client.workflowService.describeTaskQueue({
        namespace: info.workflowNamespace,
        taskQueue: {
          name: input.taskQueue,
          kind: proto.temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
        },
        taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      return { pollers: response.pollers?.length ?? 0 };
    },
  };
}

/**
 * An identical earlier run made this model file already: its version is the answer, not a copy.
 * It is still promoted when asked and every gate passed now (an alias move, audited).
 */
async function reuse(
  deps: ActivityDependencies,
  input: RegisterInput,
  existing: ModelVersion,
  rejected: boolean,
): Promise<RegisterOutput> {
  let promoted = false;
  if (input.promote && !rejected && existing.status !== 'rejected') {
    await promoteToChampion(
      deps,
      input,
      existing,
      'an identical run re-promoted its existing version',
      existing.registrationKey === input.workflowId,
    );
    promoted = true;
  }
  const [report] = existing.reportArtifactId
    ? await deps.db
        .select({ uri: artifacts.uri })
        .from(artifacts)
        .where(eq(artifacts.id, existing.reportArtifactId))
    : [];
  return {
    modelVersionId: existing.id,
    version: existing.version,
    promoted,
    created: false,
    reportUri: report?.uri ?? null,
  };
}

/** What ran the training, for reproducibility: recorded with every model version. */
function runtimeVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const versionOf = (name: string) => {
    try {
      return (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    temporalSdk: versionOf('@temporalio/worker'),
    duckdb: versionOf('@duckdb/node-api'),
  };
}

/**
 * Makes the version the champion, with an audit event (once per run, by its key) when the alias
 * moved. A version this run registered is always audited: a retry after the alias moved but before
 * the audit was written finds the alias already in place and must still write it.
 */
async function promoteToChampion(
  deps: ActivityDependencies,
  input: RegisterInput,
  version: ModelVersion,
  reason: string,
  registeredByThisRun: boolean,
): Promise<void> {
  const previous = await setAlias(deps.db, version, CHAMPION);
  if (previous === version.id && !registeredByThisRun) return;
  await recordAuditEvent(deps.db, {
    eventKey: `${input.workflowId}:promote`,
    subjectKind: 'model',
    subject: input.modelName,
    action: 'promote',
    actor: `pipeline ${input.workflowId}`,
    reason,
    before: { modelVersionId: previous ?? null },
    after: { modelVersionId: version.id, version: version.version },
  });
}
