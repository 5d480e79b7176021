import { readFile } from 'node:fs/promises';
import type { ArtifactRef } from '../../contracts/artifacts.js';
import { findAliasedVersion } from '../../db/queries/registry.js';
import { findArtifact } from '../../db/queries/artifacts.js';
import { buildReferenceProfile } from '../../ml/drift/index.js';
import { loadModelDocument, type ModelDocument } from '../../ml/model/index.js';
import { predictFrameInWorker } from '../../ml/runner/index.js';
import { lowerIsBetter } from '../../spec/types.js';
import { artifactKeys } from '../../storage/artifact-store.js';
import type { ActivityDependencies } from '../dependencies.js';
import { runCachedStage, stageCacheKey } from '../stage-cache.js';
import { recordStage } from '../stage-recorder.js';
import { loadRecipePart, recipeInputs } from './frames.js';
import { featureImportance } from './importance.js';
import { fairnessSummary, scorePredictions, specMetrics } from './scoring.js';
import { withHeartbeat } from '../heartbeat.js';
import { storeJsonArtifact } from '../json-artifacts.js';
import { localCopy } from '../local-files.js';
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
          withHeartbeat(async () => {
            const document = await readModel(deps, input.model);
            const inputs = await recipeInputs(deps, recipe);
            const frame = await loadRecipePart(inputs, recipe, input.part, [
              ...document.features,
              ...input.sensitive,
            ]);
            const predictions = await predictFrameInWorker(document, frame);
            const scored = scorePredictions(document, frame, predictions, input.sensitive);
            const metrics = specMetrics(scored.evaluation);
            const importance = featureImportance(
              document,
              frame,
              input.primaryMetric,
              lowerIsBetter.has(input.primaryMetric),
            );
            const referenceProfile = input.withReferenceProfile
              ? await trainingProfile(inputs, recipe, document)
              : null;
            const evaluationDocument = {
              format: 'mlops.evaluation/v1',
              part: input.part,
              rows: scored.rows,
              skippedRows: scored.skippedRows,
              evaluation: scored.evaluation,
              fairness: scored.fairness,
              featureImportance: importance,
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
      );
      return { ...outputs, cacheHit };
    },

    /** The current champion scored on this run's test part, for `compareToChampion`; null without a champion. */
    async championStage(input: ChampionInput): Promise<ChampionScore | null> {
      const champion = await findAliasedVersion(deps.db, input.modelName, 'champion');
      if (!champion?.modelArtifactId) return null;
      const file = await findArtifact(deps.db, champion.modelArtifactId);
      if (!file) return null;
      const stage = {
        pipelineRunId: input.pipelineRunId,
        stage: 'gate/champion',
        params: { champion: champion.version },
      };
      const { result } = await recordStage(deps, stage, () =>
        withHeartbeat(async () => {
          const document = await readModel(deps, file);
          const inputs = await recipeInputs(deps, input.recipe);
          const features = document.features.filter((feature) => feature !== input.recipe.target);
          try {
            const frame = await loadRecipePart(inputs, input.recipe, 'test', features);
            const scored = scorePredictions(document, frame, await predictFrameInWorker(document, frame), []);
            return {
              version: champion.version,
              value: specMetrics(scored.evaluation)[input.primaryMetric] ?? null,
            };
          } catch (error) {
            // A champion that cannot read this data (its features are gone) cannot be compared.
            deps.log.warn(
              { error: (error as Error).message },
              "the champion cannot score this run's test data",
            );
            return { version: champion.version, value: null };
          }
        }),
      );
      return result;
    },
  };
}

async function readModel(deps: ActivityDependencies, ref: ArtifactRef): Promise<ModelDocument> {
  const path = await localCopy(deps, ref, '.json');
  return loadModelDocument(await readFile(path, 'utf8')).document;
}

/** The drift reference: the training part's features and the model's predictions on them. */
async function trainingProfile(
  inputs: Awaited<ReturnType<typeof recipeInputs>>,
  recipe: TrainingRecipe,
  document: ModelDocument,
) {
  const frame = await loadRecipePart(inputs, recipe, 'train', document.features);
  const predictions = await predictFrameInWorker(document, frame);
  const predictionColumn =
    predictions.task === 'regression'
      ? { kind: 'numeric' as const, name: 'prediction', values: predictions.values, missing: null }
      : {
          kind: 'categorical' as const,
          name: 'prediction',
          codes: predictions.classIndex,
          dictionary: [...predictions.classes],
        };
  return buildReferenceProfile(frame, { features: document.features, predictions: predictionColumn });
}
