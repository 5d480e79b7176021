import { executeChild, workflowInfo } from '@temporalio/workflow';
import type { TrialResult, TuningTrialInput } from '../contracts/pipeline-stages.js';
import { seededRandom } from '../contracts/seeded-random.js';
import { lowerIsBetter, type ParamValue, type PipelineSpec, type PrimaryMetric } from '../spec/types.js';
import { pipelineActivities } from './pipeline-activities.js';

/** One tuning trial: train with one candidate's parameters, score it on the validation part. */
export async function tuningTrialWorkflow(input: TuningTrialInput): Promise<TrialResult> {
  const { training, data } = pipelineActivities(
    input.taskQueues,
    input.trainOnGpu,
    input.recipe.command?.timeout,
  );
  const started = Date.now();
  const stage = `tune/trial-${input.trial}`;
  const common = {
    pipelineRunId: input.pipelineRunId,
    noCache: input.noCache,
    pipelineName: input.pipelineName,
  };
  const trained = await training.trainStage({ ...common, stage: `${stage}/train`, recipe: input.recipe });
  const evaluated = await data.evaluateStage({
    ...common,
    stage: `${stage}/evaluate`,
    recipe: input.recipe,
    model: trained.model,
    sensitive: [],
    part: 'validation',
    primaryMetric: input.primaryMetric,
    withReferenceProfile: false,
  });
  return {
    trial: input.trial,
    params: input.recipe.params,
    model: trained.model,
    validationMetric: evaluated.metrics[input.primaryMetric] ?? null,
    metrics: evaluated.metrics,
    durationMs: Date.now() - started,
  };
}

/**
 * The parameter sets to try: the grid of `search` over the base `params` (every combination), or
 * `maxTrials` seeded random draws from it. A grid larger than `maxTrials` is sampled the same way.
 */
export function searchCandidates(train: PipelineSpec['train'], seed: number): Record<string, ParamValue>[] {
  const search = train.search ?? {};
  const names = Object.keys(search).sort();
  let grid: Record<string, ParamValue>[] = [{ ...train.params }];
  for (const name of names)
    grid = grid.flatMap((partial) => search[name].map((value) => ({ ...partial, [name]: value })));
  const limit = train.maxTrials ?? (train.searchStrategy === 'random' ? 10 : grid.length);
  if (train.searchStrategy === 'grid' && grid.length <= limit) return grid;
  const random = seededRandom(seed);
  if (train.searchStrategy === 'grid') {
    // A seeded shuffle, then the first `limit`: a sample of the grid without repeats.
    for (let index = grid.length - 1; index > 0; index -= 1) {
      const other = Math.floor(random() * (index + 1));
      [grid[index], grid[other]] = [grid[other], grid[index]];
    }
    return grid.slice(0, limit);
  }
  return Array.from({ length: limit }, () => {
    const candidate: Record<string, ParamValue> = { ...train.params };
    for (const name of names) candidate[name] = search[name][Math.floor(random() * search[name].length)];
    return candidate;
  });
}

/** Runs the trials as child workflows, at most `maxParallelTrials` at once, in trial order. */
export async function runTuning(
  candidates: readonly Record<string, ParamValue>[],
  maxParallel: number,
  trialInput: (trial: number, params: Record<string, ParamValue>) => TuningTrialInput,
  onTrialDone: (done: number) => void,
): Promise<TrialResult[]> {
  const results: TrialResult[] = new Array(candidates.length);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < candidates.length) {
      const index = next;
      next += 1;
      results[index] = await executeChild(tuningTrialWorkflow, {
        workflowId: `${workflowInfo().workflowId}/trial-${index + 1}`,
        args: [trialInput(index + 1, candidates[index])],
      });
      done += 1;
      onTrialDone(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(maxParallel, candidates.length) }, lane));
  return results;
}

export function bestTrial(trials: readonly TrialResult[], metric: PrimaryMetric): TrialResult {
  const better = (a: number, b: number) => (lowerIsBetter.has(metric) ? a < b : a > b);
  let best = trials[0];
  for (const trial of trials.slice(1)) {
    if (trial.validationMetric === null) continue;
    if (best.validationMetric === null || better(trial.validationMetric, best.validationMetric)) best = trial;
  }
  return best;
}
