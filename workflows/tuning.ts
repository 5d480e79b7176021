import { executeChild, workflowInfo } from '@temporalio/workflow';
import type { TrialResult, TuningTrialInput } from '../contracts/pipeline-stages.js';
import { seededRandom } from '../contracts/seeded-random.js';
import {
  lowerIsBetter,
  MAX_TRIALS,
  type ParamValue,
  type PipelineSpec,
  type PrimaryMetric,
} from '../spec/types.js';
import { pipelineActivities, summarized } from './pipeline-activities.js';

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
  const params = JSON.stringify(input.recipe.params);
  const trained = await summarized(training.trainStage, `trial ${input.trial}: train ${params}`, {
    ...common,
    stage: `${stage}/train`,
    recipe: input.recipe,
  });
  const evaluated = await summarized(
    data.evaluateStage,
    `trial ${input.trial}: ${input.primaryMetric} on validation`,
    {
      ...common,
      stage: `${stage}/evaluate`,
      recipe: input.recipe,
      model: trained.model,
      sensitive: [],
      part: 'validation',
      primaryMetric: input.primaryMetric,
      withReferenceProfile: false,
    },
  );
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
 * Nothing here grows with the grid: a large one (spec/limits.ts bounds it) is sampled by index,
 * so a 10^10-combination grid costs what its `maxTrials` trials cost, inside the workflow's heap.
 */
export function searchCandidates(train: PipelineSpec['train'], seed: number): Record<string, ParamValue>[] {
  const search = train.search ?? {};
  const names = Object.keys(search).sort();
  const random = seededRandom(seed);
  if (train.searchStrategy === 'random') {
    return Array.from({ length: train.maxTrials ?? 10 }, () => {
      const candidate: Record<string, ParamValue> = { ...train.params };
      for (const name of names) candidate[name] = search[name][Math.floor(random() * search[name].length)];
      return candidate;
    });
  }
  const size = names.reduce((product, name) => product * search[name].length, 1);
  // Without a cap the whole grid runs; spec validation refuses one past the trials a run may have.
  const limit = Math.min(train.maxTrials ?? size, size);
  const combination = (index: number) => {
    // Mixed radix, the last name fastest: index order is the order the grid is written in.
    const candidate: Record<string, ParamValue> = { ...train.params };
    let rest = index;
    for (const name of [...names].reverse()) {
      const values = search[name];
      candidate[name] = values[rest % values.length];
      rest = Math.floor(rest / values.length);
    }
    return Object.fromEntries([...Object.keys(train.params), ...names].map((key) => [key, candidate[key]]));
  };
  if (size <= shuffledGridMax) {
    const grid = Array.from({ length: size }, (_, index) => combination(index));
    if (limit === size) return grid;
    // A seeded shuffle, then the first `limit`: a sample of the grid without repeats.
    for (let index = grid.length - 1; index > 0; index -= 1) {
      const other = Math.floor(random() * (index + 1));
      [grid[index], grid[other]] = [grid[other], grid[index]];
    }
    return grid.slice(0, limit);
  }
  // Far more combinations than trials: distinct seeded indices, drawn until there are enough.
  const chosen = new Set<number>();
  while (chosen.size < Math.min(limit, MAX_TRIALS)) chosen.add(Math.floor(random() * size));
  return [...chosen].map(combination);
}

/** Grids up to this size are shuffled whole (the order runs started before sampling by index kept). */
const shuffledGridMax = 100_000;

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
