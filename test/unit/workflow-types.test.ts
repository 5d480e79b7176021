import { describe, expect, it } from 'vitest';
import { modelLifecycleWorkflowType } from '../../contracts/lifecycle.js';
import { monitorWorkflowType } from '../../contracts/monitor.js';
import { trainingPipelineWorkflowType } from '../../contracts/pipeline.js';
import { smokePipelineWorkflowType } from '../../contracts/smoke.js';
import * as bundleEntry from '../../workflows/index.js';

describe('workflow types', () => {
  it('are exported by the bundle entry under the names clients and activities start them by', () => {
    const exported = Object.keys(bundleEntry);
    for (const name of [
      trainingPipelineWorkflowType,
      modelLifecycleWorkflowType,
      monitorWorkflowType,
      smokePipelineWorkflowType,
      'tuningTrialWorkflow',
    ])
      expect(exported, name).toContain(name);
  });
});
