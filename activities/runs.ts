import { finishPipelineRun, upsertPipelineRun } from '../db/queries/runs.js';
import type { ActivityDependencies } from './dependencies.js';

export interface StartRunInput {
  readonly workflowId: string;
  readonly runId: string;
  readonly pipelineName: string;
  readonly kind: string;
  readonly spec: Record<string, unknown>;
  readonly trigger?: string;
}

export interface FinishRunInput {
  readonly workflowId: string;
  readonly runId: string;
  readonly status: 'succeeded' | 'rejected' | 'failed' | 'cancelled';
  readonly error?: { type: string; message: string };
}

/** Recording a run's start and end: upserts keyed by the workflow execution, so retries change nothing. */
export function createRunActivities(deps: ActivityDependencies) {
  return {
    async startRun(input: StartRunInput): Promise<{ pipelineRunId: number; codeVersion: string }> {
      const row = await upsertPipelineRun(deps.db, { ...input, codeVersion: deps.codeVersion });
      return { pipelineRunId: row.id, codeVersion: row.codeVersion };
    },
    async finishRun(input: FinishRunInput): Promise<void> {
      await finishPipelineRun(deps.db, input, { status: input.status, error: input.error ?? null });
    },
  };
}
