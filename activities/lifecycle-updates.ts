import { Context } from '@temporalio/activity';
import {
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  type UpdateDefinition,
} from '@temporalio/client';
import {
  lifecycleStart,
  modelLifecycleWorkflowType,
  type ModelLifecycleWorkflow,
} from '../contracts/lifecycle.js';
import type { TaskQueues } from '../contracts/task-queues.js';

/**
 * An update to a model's lifecycle workflow from an activity, starting the workflow if it does
 * not run (Update-With-Start, by type name: activities never load workflow code). Every change to
 * what a model serves goes this way, so the lifecycle serializes and audits all of them.
 * `updateId` makes a retried activity the same update, answered once.
 */
export async function updateLifecycle<Ret, Request>(
  modelName: string,
  taskQueues: TaskQueues,
  update: UpdateDefinition<Ret, [Request]>,
  request: Request,
  updateId?: string,
): Promise<{ accepted: true; result: Ret } | { accepted: false; refusal: LifecycleRefusal }> {
  const { client } = Context.current();
  try {
    const result = await client.workflow.executeUpdateWithStart(update, {
      args: [request],
      ...(updateId ? { updateId } : {}),
      startWorkflowOperation: new WithStartWorkflowOperation<ModelLifecycleWorkflow>(
        modelLifecycleWorkflowType,
        lifecycleStart(modelName, taskQueues),
      ),
    });
    return { accepted: true, result };
  } catch (error) {
    // Refused by a validator or failed in the handler: an answer, not a fault; retrying cannot change it.
    if (error instanceof WorkflowUpdateFailedError) {
      const cause = error.cause as { type?: string; message?: string } | undefined;
      return {
        accepted: false,
        refusal: { type: cause?.type ?? 'Error', message: cause?.message ?? error.message },
      };
    }
    throw error;
  }
}

export interface LifecycleRefusal {
  readonly type: string;
  readonly message: string;
}
