import type { VersioningBehavior } from '@temporalio/common';
import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import { batchScoringWorkflow } from './batch-scoring.js';
import { modelLifecycleWorkflow } from './lifecycle.js';
import { monitorWorkflow } from './monitor.js';
import { smokePipelineWorkflow } from './smoke.js';
import { trainingPipelineWorkflow } from './training.js';
import { tuningTrialWorkflow } from './tuning.js';

// How each workflow type moves between builds when workers poll as Worker Deployment versions
// (MLOPS_WORKER_DEPLOYMENT, workers/pool-worker.ts).

/**
 * The behavior, only on a versioned worker: an unversioned worker's completion may not carry one
 * (the server rejects it: "versioning behavior cannot be specified without deployment options
 * being set with versioned mode"). Evaluated when the run starts in this worker, from the version
 * of the task being run, so a run whose history began on unversioned workers gets the worker's
 * default (AUTO_UPGRADE, which is how unversioned runs already behave).
 */
function whenVersioned(versioningBehavior: VersioningBehavior) {
  // Unversioned workers report a build id of their own but no deployment name.
  return () => (workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior } : {});
}

// Runs that end within hours finish on the build that started them, so their code can change
// freely between builds without patched(): a new current build only takes new runs.
setWorkflowOptions(whenVersioned('PINNED'), trainingPipelineWorkflow);
setWorkflowOptions(whenVersioned('PINNED'), smokePipelineWorkflow);
setWorkflowOptions(whenVersioned('PINNED'), tuningTrialWorkflow);
setWorkflowOptions(whenVersioned('PINNED'), batchScoringWorkflow);

// The lifecycle and monitor workflows live as long as their model: pinned, they would keep an old
// build's workers alive forever. They move to the current build at their next workflow task, so
// every change to their code must replay their histories: they keep using patched() (and the
// replay test over committed histories) for that, and continue-as-new starts on the current build.
setWorkflowOptions(whenVersioned('AUTO_UPGRADE'), modelLifecycleWorkflow);
setWorkflowOptions(whenVersioned('AUTO_UPGRADE'), monitorWorkflow);
