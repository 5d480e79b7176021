import { finishPipelineRun, upsertPipelineRun } from '../db/queries/runs.js';
import type { FinishRunInput, RunActivities, StartRunInput } from '../contracts/runs.js';
import type { ActivityDependencies } from './dependencies.js';

/** Recording a run's start and end: upserts keyed by the workflow execution, so retries change nothing. */
export function createRunActivities(deps: ActivityDependencies): RunActivities {
  return {
    async startRun(input: StartRunInput) {
      const row = await upsertPipelineRun(deps.db, { ...input, codeVersion: deps.codeVersion });
      return { pipelineRunId: row.id, codeVersion: row.codeVersion };
    },
    async finishRun(input: FinishRunInput): Promise<void> {
      await finishPipelineRun(deps.db, input, { status: input.status, error: input.error ?? null });
    },
  };
}
