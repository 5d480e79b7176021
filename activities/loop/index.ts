import type { LoopActivities } from '../../contracts/loop-stages.js';
import type { ActivityDependencies } from '../dependencies.js';
import { createDriftWindowActivities } from './drift-window.js';
import { createEvidenceActivities } from './evidence.js';
import { withMonitorGauges } from './monitor-gauges.js';
import { createProductionDataActivities } from './production-data.js';
import { createServingStateActivities } from './serving-state.js';

/** Activities that close the loop: what is served, live evidence, drift windows, retraining data. */
export function createLoopActivities(deps: ActivityDependencies): LoopActivities {
  const drift = createDriftWindowActivities(deps);
  return {
    ...createServingStateActivities(deps),
    ...createEvidenceActivities(deps),
    ...drift,
    computeDriftWindow: withMonitorGauges(deps, drift.computeDriftWindow),
    ...createProductionDataActivities(deps),
  };
}
