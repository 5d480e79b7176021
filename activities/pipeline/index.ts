import type { PipelineActivities } from '../../contracts/pipeline-stages.js';
import type { ActivityDependencies } from '../dependencies.js';
import { createRunActivities } from '../runs.js';
import { createDataActivities } from './data.js';
import { createEvaluateActivities } from './evaluate.js';
import { createPromotionActivities } from './promotion.js';
import { createRegistryActivities } from './registry.js';
import { createReportActivities } from './report.js';
import { createSplitActivities } from './split.js';
import { createTrainActivities } from './train.js';

/** Every activity of the training pipeline (the CPU pool registers them all; the GPU pool trains). */
export function createPipelineActivities(deps: ActivityDependencies): PipelineActivities {
  return {
    ...createRunActivities(deps),
    ...createDataActivities(deps),
    ...createSplitActivities(deps),
    ...createTrainActivities(deps),
    ...createEvaluateActivities(deps),
    ...createRegistryActivities(deps),
    ...createPromotionActivities(deps),
    ...createReportActivities(deps),
  };
}
