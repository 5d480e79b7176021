import type { ArtifactRef } from '../../contracts/artifacts.js';
import { findAliasedVersion } from '../../db/queries/registry.js';
import { findArtifact } from '../../db/queries/artifacts.js';
import { buildReferenceProfile } from '../../ml/drift/index.js';
import { lowerIsBetter } from '../../spec/types.js';
import { artifactKeys } from '../../storage/artifact-store.js';
import type { ActivityDependencies } from '../dependencies.js';
import { runCachedStage, stageCacheKey } from '../stage-cache.js';
import { loadRecipePart, recipeInputs } from './frames.js';
import { featureImportance } from './importance.js';
import { fairnessSummary, scorePredictions, specMetrics } from './scoring.js';
import { withHeartbeat } from '../heartbeat.js';
import { storeJsonArtifact } from '../json-artifacts.js';
import { readScoringModel, type ScoringModel } from '../model-files.js';
import type {
  ChampionInput,
  ChampionScore,
  EvaluateInput,
  EvaluateOutput,
  TrainingRecipe,
} from '../../contracts/pipeline-stages.js';

type StoredOutputs = Omit<EvaluateOutput, 'cacheHit'>;

export function createEvaluateActivities(deps: ActivityDependencies) {
  return {
    /**
     * Scores the model on a held-out part: metrics, curves, fairness per sensitive column, feature
     * importance and (for the final model) the training data's reference drift profile, all in
     * one evaluation document in S3; the headline numbers come back for the gates.
     */
    async evaluateStage(input: EvaluateInput): Promise<EvaluateOutput> {
      const { recipe } = input;
      const params = {
        part: input.part,
        sensitive: input.sensitive,
        primaryMetric: input.primaryMetric,
        profile: input.withReferenceProfile,
        target: recipe.target,
        task: recipe.task,
      };
      const cacheKey = stageCacheKey({
        kind: 'evaluate',
        codeVersion: deps.codeVersion,
        params,
        inputs: [recipe.dataset.sha256, recipe.split.sha256, input.model.sha256],
      });
      const stage = {
        pipelineRunId: input.pipelineRunId,
        stage: input.stage,
        params,
        inputs: { model: input.model, dataset: recipe.dataset },
        cacheKey,
      };
      const { outputs, cacheHit } = await runCachedStage<StoredOutputs>(
        deps,
        stage,
        { noCache: input.noCache, artifactsOf: (cached) => [cached.evaluation] },
        () =>
          withHeartbeat(() =>
            withScoringModel(deps, input.model, async (model) => {
              const inputs = await recipeInputs(deps, recipe);
              const frame = await loadRecipePart(inputs, recipe, input.part, [
                ...model.features,
                ...input.sensitive,
              ]);
              const predictions = await model.predictFrame(frame);
              const scored = scorePredictions(model.target, frame, predictions, input.sensitive);
              const metrics = specMetrics(scored.evaluation);
              const importance = await featureImportance(
                model,
                frame,
                input.primaryMetric,
                lowerIsBetter.has(input.primaryMetric),
              );
              const referenceProfile = input.withReferenceProfile
                ? await trainingProfile(inputs, recipe, model)
                : null;
              const evaluationDocument = {
                format: 'mlops.evaluation/v1',
                part: input.part,
                rows: scored.rows,
                skippedRows: scored.skippedRows,
                evaluation: scored.evaluation,
                fairness: scored.fairness,
                featureImportance: importance.features,
                featureImportanceMethod: importance.method,
                referenceProfile,
              };
              const evaluation = await storeJsonArtifact(
                deps,
                artifactKeys.evaluation(input.pipelineName),
                'evaluation',
                JSON.stringify(evaluationDocument),
              );
              return { evaluation, metrics, fairness: fairnessSummary(scored.fairness) };
            }),
          ),
      );
      return { ...outputs, cacheHit };
    },

    /**
     * The current champion scored on this run's test part, for `compareToChampion`; null without a
     * champion. The score is a function of the champion's model file and this test part alone, so
     * it is cached by their hashes: the second run on the same data does not score it again.
     */
    async championStage(input: ChampionInput): Promise<ChampionScore | null> {
      const champion = await findAliasedVersion(deps.db, input.modelName, 'champion');
      if (!champion?.modelArtifactId) return null;
      const file = await findArtifact(deps.db, champion.modelArtifactId);
      if (!file) return null;
      const { recipe } = input;
      const scoring = {
        model: file.sha256,
        target: recipe.target,
        task: recipe.task,
        exclude: recipe.exclude,
        primaryMetric: input.primaryMetric,
      };
      const stage = {
        pipelineRunId: input.pipelineRunId,
        stage: 'gate/champion',
        params: { champion: champion.version, ...scoring },
        inputs: { dataset: recipe.dataset, split: recipe.split },
        cacheKey: stageCacheKey({
          kind: 'champion',
          codeVersion: deps.codeVersion,
          params: scoring,
          inputs: [recipe.dataset.sha256, recipe.split.sha256],
        }),
      };
      const { outputs } = await runCachedStage<{
        value: number | null;
        metrics?: Record<string, number | null>;
      }>(
        deps,
        stage,
        // A score names no file: nothing of it can go missing.
        { noCache: input.noCache ?? false, artifactsOf: () => [] },
        () =>
          withHeartbeat(() =>
            withScoringModel(deps, file, async (model) => {
              const inputs = await recipeInputs(deps, recipe);
              const features = model.features.filter((feature) => feature !== recipe.target);
              try {
                const frame = await loadRecipePart(inputs, recipe, 'test', features);
                const scored = scorePredictions(model.target, frame, await model.predictFrame(frame), []);
                // Every headline metric, for the report's side-by-side comparison; the gate reads one.
                const metrics = specMetrics(scored.evaluation);
                return { value: metrics[input.primaryMetric] ?? null, metrics };
              } catch (error) {
                // A champion that cannot read this data (its features are gone) cannot be compared.
                deps.log.warn(
                  { error: (error as Error).message },
                  "the champion cannot score this run's test data",
                );
                return { value: null };
              }
            }),
          ),
      );
      // By this version's number, also when the score was cached under another version of the same file.
      return { version: champion.version, value: outputs.value };
    },
  };
}

/** Runs `work` with the model file loaded for scoring, releasing it (an ONNX session) after. */
async function withScoringModel<T>(
  deps: ActivityDependencies,
  ref: ArtifactRef,
  work: (model: ScoringModel) => Promise<T>,
): Promise<T> {
  const model = await readScoringModel(deps, ref);
  try {
    return await work(model);
  } finally {
    await model.release();
  }
}

/** The drift reference: the training part's features and the model's predictions on them. */
async function trainingProfile(
  inputs: Awaited<ReturnType<typeof recipeInputs>>,
  recipe: TrainingRecipe,
  model: ScoringModel,
) {
  const frame = await loadRecipePart(inputs, recipe, 'train', model.features);
  const predictions = await model.predictFrame(frame);
  const predictionColumn =
    predictions.task === 'regression'
      ? { kind: 'numeric' as const, name: 'prediction', values: predictions.values, missing: null }
      : {
          kind: 'categorical' as const,
          name: 'prediction',
          codes: predictions.classIndex,
          dictionary: [...predictions.classes],
        };
  return buildReferenceProfile(frame, { features: model.features, predictions: predictionColumn });
}
