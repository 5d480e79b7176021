// A test-only workflow around prepareDataset, so its re-staging can run against mocked
// activities (test/integration/data-preparation.test.ts) without the rest of the pipeline.
import type { PipelineSpec } from '../../../spec/types.js';
import { prepareDataset } from '../../../workflows/data-preparation.js';
import { pipelineActivities } from '../../../workflows/pipeline-activities.js';
import { ProgressTracker } from '../../../workflows/progress.js';

export async function prepareDatasetWorkflow(input: { spec: PipelineSpec; taskQueue: string }) {
  const { data } = pipelineActivities({ cpu: input.taskQueue, gpu: input.taskQueue }, false);
  const progress = new ProgressTracker(input.spec.name);
  return prepareDataset(
    data,
    { pipelineRunId: 1, spec: input.spec, noCache: true, searchable: true },
    progress,
  );
}
