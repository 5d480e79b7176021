import type { BatchScoringInput } from './batch-scoring.js';
import type { RunStatus } from './pipeline.js';
import type { SmokePipelineInput } from './smoke.js';
import type { PipelineSpec } from '../spec/types.js';

/** What a run was started with (stored with it): a training run's pipeline spec, the smoke pipeline's or a batch scoring's input. */
export type RunSpec = PipelineSpec | SmokePipelineInput | BatchScoringInput;

export function isPipelineSpec(spec: RunSpec): spec is PipelineSpec {
  return 'dataset' in spec && 'train' in spec;
}

/** Recording a run's start and end in `pipeline_runs` (every workflow that is a run does). */
export interface StartRunInput {
  readonly workflowId: string;
  readonly runId: string;
  readonly pipelineName: string;
  readonly kind: string;
  readonly spec: RunSpec;
  readonly trigger?: string;
}

export interface FinishRunInput {
  readonly workflowId: string;
  readonly runId: string;
  readonly status: Exclude<RunStatus, 'running'>;
  readonly error?: { type: string; message: string };
}

export interface RunActivities {
  startRun(input: StartRunInput): Promise<{ pipelineRunId: number; codeVersion: string }>;
  finishRun(input: FinishRunInput): Promise<void>;
}
