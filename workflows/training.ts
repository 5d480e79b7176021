import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  progressQuery,
  type PipelineResult,
  type StageName,
  type TrainingPipelineInput,
  type TrainingPipelineWorkflow,
} from '../contracts/pipeline.js';
import {
  modelAttribute,
  pipelineAttribute,
  runStatusAttribute,
  stageAttribute,
  triggerAttribute,
} from '../contracts/search-attributes.js';
import { resolvePrimaryMetric } from '../spec/types.js';
import { prepareDataset } from './data-preparation.js';
import { evaluateGates, rejectionReasons } from './gates.js';
import { pipelineActivities, summarized } from './pipeline-activities.js';
import { promoteRegistered } from './promotion.js';
import { trainingRecipe } from './recipe.js';
import { ProgressTracker } from './progress.js';
import { bestTrial, runTuning, searchCandidates } from './tuning.js';
import { describeFailure } from './failures.js';
import { shownNumber } from './rounding.js';

/**
 * Runs from here on say what started them (MlopsTrigger), carry MlopsModel and MlopsPipeline
 * however they were started, and set MlopsStage in ingest, validate and de-identify too, so a run
 * that failed there can be found by stage.
 */
export const SEARCHABLE_RUNS = 'searchable-runs';

/**
 * The training pipeline: a spec in; a validated, de-identified, trained, evaluated, gated and
 * registered model version out. A failed gate is a result (`rejected`), not a failure; anything
 * else that stops the run fails the workflow with the cause's type and message.
 */
export async function trainingPipelineWorkflow(input: TrainingPipelineInput): Promise<PipelineResult> {
  const { spec, taskQueues, noCache } = input;
  const { workflowId, runId } = workflowInfo();
  const progress = new ProgressTracker(spec.name);
  setHandler(progressQuery, () => progress.snapshot());
  const trainOnGpu = spec.train.resources.gpu > 0;
  const { data, training, bookkeeping, registry } = pipelineActivities(
    taskQueues,
    trainOnGpu,
    spec.train.timeout,
  );
  const searchable = patched(SEARCHABLE_RUNS);
  // The model and pipeline too: a retraining started by the monitor (a child) has no others.
  if (searchable)
    upsertSearchAttributes([
      { key: triggerAttribute, value: input.trigger },
      { key: modelAttribute, value: spec.name },
      { key: pipelineAttribute, value: spec.name },
    ]);
  const enter = (stage: StageName, detail?: string) => {
    progress.start(stage, detail);
    upsertSearchAttributes([{ key: stageAttribute, value: stage }]);
    // The UI's "current details" of the run: the stage it is in (the outcome once it ends).
    setCurrentDetails(`**${stage}**${detail ? `: ${detail}` : ''}`);
  };

  const { pipelineRunId } = await bookkeeping.startRun({
    workflowId,
    runId,
    pipelineName: spec.name,
    kind: 'training',
    spec: { ...spec },
    trigger: input.trigger,
  });
  try {
    const dataset = await prepareDataset(data, { pipelineRunId, spec, noCache, searchable }, progress);

    enter('split');
    const split = await summarized(data.splitStage, `split ${spec.split.strategy}: ${dataset.rows} rows`, {
      pipelineRunId,
      noCache,
      dataset,
      split: spec.split,
      target: spec.target,
      task: spec.task,
    });
    const { counts } = split;
    progress.finish('split', {
      cacheHit: split.cacheHit,
      detail: `${split.task}: train ${counts.train}, validation ${counts.validation}, test ${counts.test}`,
    });
    const primaryMetric = resolvePrimaryMetric(spec, split.task);
    const recipe = trainingRecipe(spec, dataset, split);

    if (trainOnGpu) await waitForWorkers(taskQueues.gpu, bookkeeping, progress);
    let params = spec.train.params;
    if (spec.train.search) {
      const candidates = searchCandidates(spec.train, spec.split.seed);
      enter(
        'tune',
        `${candidates.length} trials, ${Math.min(spec.train.maxParallelTrials, candidates.length)} at a time`,
      );
      const trials = await runTuning(
        candidates,
        spec.train.maxParallelTrials,
        (trial, trialParams) => ({
          pipelineRunId,
          pipelineName: spec.name,
          trial,
          recipe: { ...recipe, params: trialParams },
          primaryMetric,
          taskQueues,
          trainOnGpu,
          noCache,
        }),
        (done) => progress.detail('tune', `${done} of ${candidates.length} trials done`),
      );
      const best = bestTrial(trials, primaryMetric);
      params = best.params;
      progress.finish('tune', {
        detail: `best: trial ${best.trial} (${primaryMetric} ${best.validationMetric ?? 'n/a'} on validation)`,
      });
    } else progress.skip('tune', 'no train.search in the spec');

    enter('train', trainOnGpu ? `on ${taskQueues.gpu}` : undefined);
    const finalRecipe = { ...recipe, params };
    const trained = await summarized(
      training.trainStage,
      `train ${spec.train.trainer} ${JSON.stringify(params)}`,
      {
        pipelineRunId,
        noCache,
        stage: 'train',
        pipelineName: spec.name,
        recipe: finalRecipe,
      },
    );
    progress.finish('train', { cacheHit: trained.cacheHit, detail: `${trained.iterations} iterations` });

    enter('evaluate');
    const evaluated = await summarized(
      data.evaluateStage,
      `evaluate on test: ${primaryMetric}, fairness, importance`,
      {
        pipelineRunId,
        noCache,
        stage: 'evaluate',
        pipelineName: spec.name,
        recipe: finalRecipe,
        model: trained.model,
        sensitive: spec.sensitive,
        part: 'test',
        primaryMetric,
        withReferenceProfile: true,
      },
    );
    progress.finish('evaluate', {
      cacheHit: evaluated.cacheHit,
      detail: `${primaryMetric} ${shownNumber(evaluated.metrics[primaryMetric])} on test`,
    });

    enter('gate');
    const champion = spec.evaluation.compareToChampion
      ? await summarized(data.championStage, `score the champion of ${spec.name} on the same test rows`, {
          pipelineRunId,
          modelName: spec.name,
          recipe: finalRecipe,
          primaryMetric,
          noCache,
        })
      : null;
    const gates = evaluateGates(spec.evaluation.gates, {
      metrics: evaluated.metrics,
      fairness: evaluated.fairness,
      primaryMetric,
      champion,
      compareToChampion: spec.evaluation.compareToChampion,
    });
    const reasons = rejectionReasons(gates);
    progress.finish('gate', {
      detail: reasons.length ? `rejected: ${reasons.join('; ')}` : `${gates.length} gate(s) passed`,
    });

    enter('register');
    const registered = await summarized(
      registry.registerStage,
      `register ${spec.name}${reasons.length ? ' (rejected)' : ''}`,
      {
        pipelineRunId,
        workflowId,
        modelName: spec.name,
        recipe: finalRecipe,
        model: trained.model,
        evaluation: evaluated.evaluation,
        metrics: evaluated.metrics,
        fairness: evaluated.fairness,
        gates,
        rejectionReasons: reasons.length ? reasons : null,
        primaryMetric,
        reuseExistingVersion: trained.cacheHit && evaluated.cacheHit,
      },
    );
    const promotion = await promoteRegistered(
      registry,
      {
        pipelineRunId,
        workflowId,
        modelName: spec.name,
        taskQueues,
        promote: spec.deploy.promote,
        rejectionReasons: reasons,
      },
      registered,
    );
    const existing = registered.created ? '' : ' (the existing version made from this model file)';
    progress.finish('register', {
      detail: `version ${registered.version}${existing}; ${promotion.reason}`,
    });

    let reportUri = registered.reportUri;
    if (reportUri) progress.skip('report', `version ${registered.version} has its report: ${reportUri}`);
    else {
      enter('report');
      reportUri = (
        await summarized(registry.reportStage, `report of ${spec.name} v${registered.version}`, {
          pipelineRunId,
          modelName: spec.name,
          modelVersionId: registered.modelVersionId,
        })
      ).uri;
      progress.finish('report', { detail: reportUri });
    }

    const status = reasons.length ? 'rejected' : 'succeeded';
    const model = { name: spec.name, version: registered.version };
    await bookkeeping.finishRun({ workflowId, runId, status });
    progress.end(status, model);
    upsertSearchAttributes([{ key: runStatusAttribute, value: status }]);
    setCurrentDetails(
      reasons.length
        ? `**rejected**: ${reasons.join('; ')} (version ${registered.version}, not promoted)`
        : `**succeeded**: ${spec.name} v${registered.version}, ${primaryMetric} ${shownNumber(evaluated.metrics[primaryMetric])} on test; ${promotion.reason}`,
    );
    return {
      workflowId,
      runId,
      status,
      model,
      metrics: evaluated.metrics,
      fairness: evaluated.fairness,
      gates,
      promoted: promotion.promoted,
      promotion,
      reportUri,
      cacheHits: progress.cacheHits(),
      error: null,
    };
  } catch (error) {
    if (isCancellation(error)) {
      // Cancelled (`mlops runs cancel`, the Temporal UI, a script): the run is recorded as
      // cancelled, which needs an activity the cancelled workflow scope would refuse to schedule.
      await CancellationScope.nonCancellable(() =>
        bookkeeping.finishRun({ workflowId, runId, status: 'cancelled' }),
      );
      progress.end('cancelled', null);
      upsertSearchAttributes([{ key: runStatusAttribute, value: 'cancelled' }]);
      setCurrentDetails('**cancelled**');
      throw error;
    }
    const failure = describeFailure(error);
    await bookkeeping.finishRun({ workflowId, runId, status: 'failed', error: failure });
    progress.end('failed', null);
    upsertSearchAttributes([{ key: runStatusAttribute, value: 'failed' }]);
    setCurrentDetails(`**failed** (${failure.type}): ${failure.message}`);
    throw ApplicationFailure.create({
      type: failure.type,
      message: failure.message,
      nonRetryable: true,
      cause: error as Error,
    });
  }
}

trainingPipelineWorkflow satisfies TrainingPipelineWorkflow;

/** Holds the run (without holding a worker) until some worker polls `taskQueue`, saying so meanwhile. */
async function waitForWorkers(
  taskQueue: string,
  bookkeeping: ReturnType<typeof pipelineActivities>['bookkeeping'],
  progress: ProgressTracker,
) {
  for (;;) {
    const { pollers } = await bookkeeping.taskQueuePollers({ taskQueue });
    if (pollers > 0) break;
    progress.waitingFor(
      `no worker polls ${taskQueue}: start one with \`mlops worker --pool gpu\` on a GPU machine`,
    );
    await sleep('15 seconds');
  }
  progress.waitingFor(null);
}
