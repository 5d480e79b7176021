import { createRequire } from 'node:module';
import { Context } from '@temporalio/activity';
import proto from '@temporalio/proto';
import { auditKeys } from '../../contracts/audit-keys.js';
import type { PipelineActivities, RegisterInput, RegisterOutput } from '../../contracts/pipeline-stages.js';
import { addLineageEdge, findArtifact, upsertArtifact } from '../../db/queries/artifacts.js';
import { findVersionByModelFile, recordAuditEvent, registerModelVersion } from '../../db/queries/registry.js';
import type { ActivityDependencies } from '../dependencies.js';
import { withHeartbeat } from '../heartbeat.js';
import { recordStage } from '../stage-recorder.js';

/** Registering model versions and asking Temporal about workers: quick, idempotent bookkeeping. */
export function createRegistryActivities(
  deps: ActivityDependencies,
): Pick<PipelineActivities, 'registerStage' | 'taskQueuePollers'> {
  return {
    /**
     * Registers the run's model version (numbered per model, once per pipeline run however often
     * this is retried), judged by this run's gates, and links it to its dataset, model file and
     * evaluation. Promotion is not done here: the model's lifecycle workflow does it (promoteStage).
     */
    async registerStage(input: RegisterInput): Promise<RegisterOutput> {
      const stage = {
        pipelineRunId: input.pipelineRunId,
        stage: 'register',
        params: { primaryMetric: input.primaryMetric },
      };
      // It beats as it writes (registry proxy: 30 s heartbeat timeout), through a PostgreSQL stall too.
      const { result } = await withHeartbeat(() =>
        recordStage(deps, stage, async () => {
          const modelFile = await upsertArtifact(deps.db, { ...input.model, kind: 'model' });
          const evaluation = await upsertArtifact(deps.db, { ...input.evaluation, kind: 'evaluation' });
          const rejected = input.rejectionReasons !== null && input.rejectionReasons.length > 0;
          const status = rejected ? 'rejected' : 'registered';
          // An identical earlier run made this model file: its version is the answer when it was
          // judged as this run judges it now. Judged otherwise (a relaxed or a stricter gate), this
          // run registers a version of its own, so a version's status never contradicts its run's.
          const existing = input.reuseExistingVersion
            ? await findVersionByModelFile(deps.db, input.modelName, input.model.sha256, status)
            : undefined;
          if (existing && existing.registrationKey !== input.workflowId) {
            const report = existing.reportArtifactId
              ? await findArtifact(deps.db, existing.reportArtifactId)
              : undefined;
            return {
              modelVersionId: existing.id,
              version: existing.version,
              created: false,
              reportUri: report?.uri ?? null,
            };
          }
          const { version, created } = await registerModelVersion(
            deps.db,
            input.modelName,
            input.recipe.task,
            {
              registrationKey: input.workflowId,
              status,
              pipelineRunId: input.pipelineRunId,
              datasetVersionId: input.recipe.dataset.datasetVersionId,
              modelArtifactId: modelFile.id,
              metrics: input.metrics,
              primaryMetric: input.primaryMetric,
              params: { trainer: input.recipe.trainer, ...input.recipe.params, seed: input.recipe.seed },
              fairness: input.fairness,
              gates: [...input.gates],
              rejectionReasons: rejected ? [...(input.rejectionReasons ?? [])] : null,
              codeVersion: deps.codeVersion,
              runtime: runtimeVersions(),
            },
          );
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
            eventKey: auditKeys.registration(input.workflowId),
            subjectKind: 'model',
            subject: input.modelName,
            action: rejected ? 'register-rejected' : 'register',
            actor: `pipeline ${input.workflowId}`,
            reason: rejected ? (input.rejectionReasons ?? []).join('; ') : 'every gate passed',
            after: { version: version.version },
          });
          return { modelVersionId: version.id, version: version.version, created, reportUri: null };
        }),
      );
      return result;
    },

    async taskQueuePollers(input) {
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
