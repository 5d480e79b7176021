import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { errorTypes } from '../../contracts/errors.js';
import { changeServing, servedVersions } from '../../db/queries/deployments.js';
import { findModelVersion, recordAuditEvent } from '../../db/queries/registry.js';
import {
  challengerUpdate,
  lifecycleWorkflowId,
  type CanaryPolicy,
} from '../../workflows/lifecycle-messages.js';
import type { ActivityDependencies } from '../dependencies.js';
import type { ServingState, SetServingInput } from './types.js';

/** Reading and changing what a model serves; every change audited, announced to serving. */
export function createServingStateActivities(deps: ActivityDependencies) {
  return {
    async currentServing(input: { modelName: string }): Promise<ServingState> {
      return servedVersions(deps.db, input.modelName);
    },

    /** A registered version, or a non-retryable NotFound/InvalidInput the caller reads. */
    async resolveModelVersion(input: {
      modelName: string;
      version: number;
      servable: boolean;
    }): Promise<{ modelVersionId: number; version: number }> {
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

    async setServingTraffic(input: SetServingInput): Promise<ServingState> {
      return changeServing(deps.db, {
        modelName: input.modelName,
        championVersion: input.champion,
        challengerVersion: input.challenger,
        challengerShare: input.share,
        audit: input.transition,
      });
    },

    async recordLifecycleEvent(input: {
      modelName: string;
      eventKey: string;
      action: string;
      actor: string;
      reason: string;
      version: number;
    }): Promise<void> {
      await recordAuditEvent(deps.db, {
        eventKey: input.eventKey,
        subjectKind: 'model',
        subject: input.modelName,
        action: input.action,
        actor: input.actor,
        reason: input.reason,
        after: { version: input.version },
      });
    },

    /** Hands a retrained version to the model's lifecycle workflow (starting it if needed) as a challenger. */
    async proposeChallenger(input: {
      modelName: string;
      version: number;
      reason: string;
      actor: string;
      canary?: Partial<CanaryPolicy>;
      taskQueue: string;
    }): Promise<void> {
      const { client } = Context.current();
      await refusalIsFinal(
        client.workflow.executeUpdateWithStart(challengerUpdate, {
          args: [{ version: input.version, actor: input.actor, reason: input.reason, canary: input.canary }],
          // By type name: activities never load workflow code.
          startWorkflowOperation: new WithStartWorkflowOperation('modelLifecycleWorkflow', {
            workflowId: lifecycleWorkflowId(input.modelName),
            taskQueue: input.taskQueue,
            workflowIdConflictPolicy: 'USE_EXISTING',
            args: [
              { modelName: input.modelName, taskQueues: { cpu: input.taskQueue, gpu: input.taskQueue } },
            ],
          }),
        }),
      );
    },
  };
}

/** A refused challenger (a canary already running) is an answer, not a fault: retrying cannot change it. */
async function refusalIsFinal(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      throw ApplicationFailure.create({
        ...errorTypes.invalidInput,
        message: `the lifecycle refused the challenger: ${(error.cause as Error | undefined)?.message ?? error.message}`,
      });
    }
    throw error;
  }
}
