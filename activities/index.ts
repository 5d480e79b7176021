import type { ActivityDependencies } from './dependencies.js';
import { createLoopActivities } from './loop/index.js';
import { createPipelineActivities } from './pipeline/index.js';
import { createTrainActivities } from './pipeline/train.js';
import { createRunActivities } from './runs.js';
import { createSmokeActivities } from './smoke.js';

export type { ActivityDependencies } from './dependencies.js';

/** Activities that need a GPU when one is asked for; the CPU pool registers them too, for CPU runs. */
export function createGpuActivities(deps: ActivityDependencies) {
  const { smokeFitFold } = createSmokeActivities(deps);
  return { smokeFitFold, ...createTrainActivities(deps) };
}

/** Everything the CPU pool runs. */
export function createCpuActivities(deps: ActivityDependencies) {
  return {
    ...createRunActivities(deps),
    ...createPipelineActivities(deps),
    ...createLoopActivities(deps),
    ...createSmokeActivities(deps),
    ...createGpuActivities(deps),
  };
}

export type CpuActivities = ReturnType<typeof createCpuActivities>;
export type GpuActivities = ReturnType<typeof createGpuActivities>;
