import type { BatchScoringActivities } from '../../contracts/batch-scoring.js';
import type { ActivityDependencies } from '../dependencies.js';
import { createFinishBatchActivity } from './finish.js';
import { createPrepareBatchActivity } from './prepare.js';
import { createScoreBatchActivities } from './score.js';

/** Batch scoring (`mlops score`): resolve the version, cut the input, score chunks, record the output. */
export function createBatchScoringActivities(deps: ActivityDependencies): BatchScoringActivities {
  return {
    ...createScoreBatchActivities(deps),
    ...createPrepareBatchActivity(deps),
    ...createFinishBatchActivity(deps),
  };
}
