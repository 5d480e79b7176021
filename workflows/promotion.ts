import { patched } from '@temporalio/workflow';
import type { PromotionOutcome } from '../contracts/pipeline.js';
import type { PipelineActivities, RegisterOutput } from '../contracts/pipeline-stages.js';
import type { TaskQueues } from '../contracts/task-queues.js';

/** Runs started before promotion went through the lifecycle workflow replay without it. */
export const PROMOTION_THROUGH_LIFECYCLE = 'promotion-through-lifecycle';

/**
 * What a run does with `deploy.promote` once its version is registered: nothing when not asked or
 * when a gate failed (and says so), else the model's lifecycle workflow makes the version the
 * champion, serialized with every other change to what is served.
 */
export async function promoteRegistered(
  bookkeeping: Pick<PipelineActivities, 'promoteStage'>,
  run: {
    readonly pipelineRunId: number;
    readonly workflowId: string;
    readonly modelName: string;
    readonly taskQueues: TaskQueues;
    readonly promote: boolean;
    readonly rejectionReasons: readonly string[];
  },
  registered: RegisterOutput,
): Promise<PromotionOutcome> {
  if (!patched(PROMOTION_THROUGH_LIFECYCLE)) {
    // Before the patch registerStage moved the alias itself and said so.
    const promoted = registered.promoted ?? false;
    return { promoted, reason: promoted ? `v${registered.version} is the champion` : 'not promoted' };
  }
  if (!run.promote)
    return {
      promoted: false,
      reason: `deploy.promote is not set; \`mlops models promote ${run.modelName}@${registered.version}\` promotes it`,
    };
  if (run.rejectionReasons.length > 0)
    return {
      promoted: false,
      reason: `not promoted: ${run.rejectionReasons.length} gate(s) failed (${run.rejectionReasons.join('; ')})`,
    };
  return bookkeeping.promoteStage({
    pipelineRunId: run.pipelineRunId,
    workflowId: run.workflowId,
    modelName: run.modelName,
    version: registered.version,
    taskQueues: run.taskQueues,
  });
}
