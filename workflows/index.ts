// The workflow bundle's entry: every workflow type the CPU pool runs.
// Each type's Worker Versioning behavior, set on the workflow functions.
import './versioning.js';

export * from './smoke.js';
export * from './training.js';
export { tuningTrialWorkflow } from './tuning.js';
export { modelLifecycleWorkflow } from './lifecycle.js';
export { monitorWorkflow } from './monitor.js';
export { batchScoringWorkflow } from './batch-scoring.js';
