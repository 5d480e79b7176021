import { ApplicationFailure } from '@temporalio/common';
import { errorTypes } from '../../contracts/errors.js';
import { challengerUpdate } from '../../contracts/lifecycle.js';
import type { LoopActivities } from '../../contracts/loop-stages.js';
import { changeServing, servedVersions } from '../../db/queries/deployments.js';
import { findModelVersion, recordAuditEvent } from '../../db/queries/registry.js';
import type { ActivityDependencies } from '../dependencies.js';
import { updateLifecycle } from '../lifecycle-updates.js';

type ServingStateActivities = Pick<
  LoopActivities,
  | 'currentServing'
  | 'resolveModelVersion'
  | 'setServingTraffic'
  | 'recordLifecycleEvent'
  | 'proposeChallenger'
>;

/** Reading and changing what a model serves; every change audited, announced to serving. */
export function createServingStateActivities(deps: ActivityDependencies): ServingStateActivities {
  return {
    async currentServing(input) {
      return servedVersions(deps.db, input.modelName);
    },

    async resolveModelVersion(input) {
      const version = await findModelVersion(deps.db, input.modelName, input.version);
      if (!version) {
        throw ApplicationFailure.create({
          ...errorTypes.notFound,
          message: `${input.modelName} has no version ${input.version}; \`mlops models show ${input.modelName}\` lists them`,
        });
      }
      if (input.servable && version.status !== 'registered') {
        throw ApplicationFailure.create({
          ...errorTypes.invalidInput,
          message: `${input.modelName} v${input.version} is ${version.status}${version.rejectionReasons?.length ? ` (${version.rejectionReasons.join('; ')})` : ''}: it cannot be served`,
        });
      }
      return { modelVersionId: version.id, version: version.version };
    },

    async setServingTraffic(input) {
      return changeServing(deps.db, {
        modelName: input.modelName,
        championVersion: input.champion,
        challengerVersion: input.challenger,
        challengerShare: input.share,
        audit: input.transition,
      });
    },

    async recordLifecycleEvent(input) {
      await recordAuditEvent(deps.db, {
        eventKey: input.eventKey,
        subjectKind: 'model',
        subject: input.modelName,
        action: input.action,
        actor: input.actor,
        reason: input.reason,
        before: input.before,
        after: input.after ?? { version: input.version },
      });
    },

    async proposeChallenger(input) {
      // The lifecycle runs its activities on the CPU pool only: the monitor's queue serves for both.
      const answer = await updateLifecycle(
        input.modelName,
        { cpu: input.taskQueue, gpu: input.taskQueue },
        challengerUpdate,
        { version: input.version, actor: input.actor, reason: input.reason, canary: input.canary },
      );
      // A refused challenger (a canary already running) is final: retrying cannot change it.
      if (!answer.accepted) {
        throw ApplicationFailure.create({
          ...errorTypes.invalidInput,
          message: `the lifecycle refused the challenger: ${answer.refusal.message}`,
        });
      }
    },
  };
}
