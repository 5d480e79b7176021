import type { BatchScoringActivities } from '../contracts/batch-scoring.js';
import type { LoopActivities } from '../contracts/loop-stages.js';
import type { PipelineActivities } from '../contracts/pipeline-stages.js';
import type { SmokeActivities } from '../contracts/smoke.js';
import { createBatchScoringActivities } from './batch/index.js';
import type { ActivityDependencies } from './dependencies.js';
import { createLoopActivities } from './loop/index.js';
import { createPipelineActivities } from './pipeline/index.js';
import { createTrainActivities } from './pipeline/train.js';
import { createSmokeActivities } from './smoke.js';

export type { ActivityDependencies } from './dependencies.js';

/** What the GPU pool runs: the activities that use a GPU when one is asked for. */
export type GpuActivities = Pick<PipelineActivities, 'trainStage'> & Pick<SmokeActivities, 'smokeFitFold'>;
/** What the CPU pool runs: everything, GPU activities included (for runs that ask for no GPU). */
export type CpuActivities = PipelineActivities & LoopActivities & SmokeActivities & BatchScoringActivities;

export function createGpuActivities(deps: ActivityDependencies): GpuActivities {
  const { smokeFitFold } = createSmokeActivities(deps);
  return { smokeFitFold, ...createTrainActivities(deps) };
}

export function createCpuActivities(deps: ActivityDependencies): CpuActivities {
  return {
    ...createPipelineActivities(deps),
    ...createLoopActivities(deps),
    ...createSmokeActivities(deps),
    ...createBatchScoringActivities(deps),
  };
}
