// The workflow bundle's entry: every workflow type the CPU pool runs.
export * from './smoke.js';
export * from './training.js';
export { tuningTrialWorkflow } from './tuning.js';
export { modelLifecycleWorkflow } from './lifecycle.js';
export { monitorWorkflow } from './monitor.js';
