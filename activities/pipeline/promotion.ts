import { errorTypes } from '../../contracts/errors.js';
import { promoteUpdate } from '../../contracts/lifecycle.js';
import type { PromotionOutcome } from '../../contracts/pipeline.js';
import type { PipelineActivities, PromoteInput } from '../../contracts/pipeline-stages.js';
import type { ActivityDependencies } from '../dependencies.js';
import { updateLifecycle } from '../lifecycle-updates.js';
import { withHeartbeat } from '../heartbeat.js';
import { recordStage } from '../stage-recorder.js';

/**
 * A pipeline's `deploy.promote`: the model's lifecycle workflow moves the champion alias, as it
 * does for every other change to what is served, so the move is serialized with canaries and
 * rollbacks, audited once, and the lifecycle's rollback target is right.
 */
export function createPromotionActivities(
  deps: ActivityDependencies,
): Pick<PipelineActivities, 'promoteStage'> {
  return {
    async promoteStage(input: PromoteInput): Promise<PromotionOutcome> {
      const { pipelineRunId, version } = input;
      const stage = { pipelineRunId, stage: 'register/promote', params: { version } };
      // It beats while the lifecycle workflow takes the update (registry proxy: 30 s heartbeat timeout).
      const { result } = await withHeartbeat(() =>
        recordStage(deps, stage, async (): Promise<PromotionOutcome> => {
          const answer = await updateLifecycle(
            input.modelName,
            input.taskQueues,
            promoteUpdate,
            {
              version: input.version,
              actor: `pipeline ${input.workflowId}`,
              reason: 'deploy.promote is set and every gate passed',
            },
            `${input.workflowId}:promote`,
          );
          if (answer.accepted) {
            const from = answer.result.transition.fromVersion;
            return {
              promoted: true,
              reason: `v${input.version} is the champion${from === null ? '' : ` (it was v${from})`}`,
            };
          }
          if (answer.refusal.type === errorTypes.alreadyChampion.type)
            return { promoted: true, reason: `v${input.version} already is the champion` };
          return {
            promoted: false,
            reason: `not promoted: the lifecycle workflow of ${input.modelName} refused it: ${answer.refusal.message}`,
          };
        }),
      );
      return result;
    },
  };
}
