import {
  ServiceError,
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  type Client,
  type QueryDefinition,
  type UpdateDefinition,
} from '@temporalio/client';
import { defaultTaskQueues, type TaskQueues } from '../contracts/task-queues.js';
import {
  approveUpdate,
  challengerUpdate,
  lifecycleStart,
  lifecycleStatusQuery,
  lifecycleWorkflowId,
  modelLifecycleWorkflowType,
  promoteUpdate,
  rollbackUpdate,
  type ApprovalRequest,
  type ChallengerRequest,
  type LifecycleStatus,
  type ModelLifecycleWorkflow,
  type PromoteRequest,
  type RollbackRequest,
  type TransitionResult,
} from '../contracts/lifecycle.js';
import {
  monitorStatusQuery,
  monitorWorkflowId,
  monitorWorkflowType,
  pauseSignal,
  resumeSignal,
  setPolicyUpdate,
  type MonitorPolicy,
  type MonitorStatus,
  type MonitorWorkflow,
} from '../contracts/monitor.js';
import { modelAttribute } from '../contracts/search-attributes.js';

/** A request the workflow refused (its validator) or could not carry out (an unknown version). */
export class ModelRequestRefused extends Error {
  override readonly name = 'ModelRequestRefused';
}

/** A status query nobody answered: queries are answered by a worker polling the workflow's task queue. */
export class StatusQueryTimeout extends Error {
  override readonly name = 'StatusQueryTimeout';
}

const STATUS_QUERY_TIMEOUT_MS = 10_000;
/** gRPC's DEADLINE_EXCEEDED, the code under a ServiceError when the deadline passed. */
const DEADLINE_EXCEEDED = 4;

/**
 * A workflow's status query, given up after 10 s with an error that says what to do. Without a
 * worker on the workflow's task queue the server would hold it for its own 30 s and then fail
 * with "Failed to query Workflow".
 */
async function statusQuery<T>(client: Client, workflowId: string, query: QueryDefinition<T>): Promise<T> {
  try {
    return await client.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () =>
      client.workflow.getHandle(workflowId).query(query),
    );
  } catch (error) {
    if (
      error instanceof ServiceError &&
      (error.cause as { code?: number } | undefined)?.code === DEADLINE_EXCEEDED
    ) {
      throw new StatusQueryTimeout(
        `no worker answered the status query of ${workflowId} within ${STATUS_QUERY_TIMEOUT_MS / 1000} s: ` +
          'a worker polling its task queue answers it; start one with `mlops worker --pool cpu` (or `mlops up`) ' +
          'with the same MLOPS_CPU_TASK_QUEUE the workflow was started with',
        { cause: error },
      );
    }
    throw error;
  }
}

/** Update calls with the reason of a refusal as the error's message, not Temporal's generic one. */
async function refusedWithReason<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      const cause = error.cause as Error | undefined;
      throw new ModelRequestRefused(cause?.message ?? error.message, { cause: error });
    }
    throw error;
  }
}

/**
 * The TypeScript client for what is served and watched: every call goes through the model's
 * lifecycle or monitor workflow (started on first use), so changes are serialized and audited.
 */
export class ModelLoopClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueues: TaskQueues = defaultTaskQueues,
  ) {}

  /** Sends `update` to the model's lifecycle workflow, starting that workflow if it is not running. */
  private updateLifecycle<Ret, Request>(
    modelName: string,
    update: UpdateDefinition<Ret, [Request]>,
    request: Request,
  ): Promise<Ret> {
    const startWorkflowOperation = new WithStartWorkflowOperation<ModelLifecycleWorkflow>(
      modelLifecycleWorkflowType,
      lifecycleStart(modelName, this.taskQueues),
    );
    return refusedWithReason(
      this.client.workflow.executeUpdateWithStart(update, { args: [request], startWorkflowOperation }),
    );
  }

  promote(modelName: string, request: PromoteRequest): Promise<TransitionResult> {
    return this.updateLifecycle(modelName, promoteUpdate, request);
  }

  rollback(modelName: string, request: RollbackRequest): Promise<TransitionResult> {
    return this.updateLifecycle(modelName, rollbackUpdate, request);
  }

  challenge(modelName: string, request: ChallengerRequest): Promise<{ accepted: true; challenger: number }> {
    return this.updateLifecycle(modelName, challengerUpdate, request);
  }

  approve(modelName: string, request: ApprovalRequest): Promise<{ accepted: true }> {
    return refusedWithReason(
      this.client.workflow
        .getHandle(lifecycleWorkflowId(modelName))
        .executeUpdate(approveUpdate, { args: [request] }),
    );
  }

  lifecycleStatus(modelName: string): Promise<LifecycleStatus> {
    return statusQuery(this.client, lifecycleWorkflowId(modelName), lifecycleStatusQuery);
  }

  /** Starts the model's monitor (one per model: a second start finds the running one). */
  async startMonitor(modelName: string, policy: Partial<MonitorPolicy> = {}): Promise<string> {
    const handle = await this.client.workflow.start<MonitorWorkflow>(monitorWorkflowType, {
      workflowId: monitorWorkflowId(modelName),
      taskQueue: this.taskQueues.cpu,
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [{ modelName, taskQueues: this.taskQueues, policy }],
      typedSearchAttributes: [{ key: modelAttribute, value: modelName }],
      staticSummary: `monitor of ${modelName}: drift, live metrics, retraining`,
    });
    return handle.workflowId;
  }

  monitorStatus(modelName: string): Promise<MonitorStatus> {
    return statusQuery(this.client, monitorWorkflowId(modelName), monitorStatusQuery);
  }

  pauseMonitor(modelName: string): Promise<void> {
    return this.client.workflow.getHandle(monitorWorkflowId(modelName)).signal(pauseSignal);
  }

  resumeMonitor(modelName: string): Promise<void> {
    return this.client.workflow.getHandle(monitorWorkflowId(modelName)).signal(resumeSignal);
  }

  setMonitorPolicy(modelName: string, change: Partial<MonitorPolicy>): Promise<MonitorPolicy> {
    return refusedWithReason(
      this.client.workflow
        .getHandle(monitorWorkflowId(modelName))
        .executeUpdate(setPolicyUpdate, { args: [change] }),
    );
  }

  async stopMonitor(modelName: string, reason = 'stopped by request'): Promise<void> {
    await this.client.workflow.getHandle(monitorWorkflowId(modelName)).terminate(reason);
  }
}
