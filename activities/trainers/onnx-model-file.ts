import type { ArtifactRef } from '../../contracts/artifacts.js';
import { canonicalJson } from '../../contracts/canonical-json.js';
import { ONNX_MODEL_FORMAT, type OnnxModelDocument } from '../../contracts/onnx-model.js';
import type { TrainingRecipe } from '../../contracts/pipeline-stages.js';
import { targetClasses } from '../../data/index.js';
import { upsertArtifact } from '../../db/queries/artifacts.js';
import { datasetSchema, type DatasetSchema } from '../../db/queries/datasets.js';
import { loadOnnxScorer, type OnnxExpectation } from '../../ml/onnx/index.js';
import { artifactKeys } from '../../storage/artifact-store.js';
import type { ActivityDependencies } from '../dependencies.js';
import { storeJsonArtifact } from '../json-artifacts.js';

/** What an ONNX model trained or imported for a recipe must fit, from the recipe's dataset. */
export interface RecipeFacts {
  readonly features: readonly string[];
  readonly classes: readonly string[] | null;
  readonly schema: DatasetSchema;
  readonly expectation: OnnxExpectation;
}

export async function recipeFacts(
  deps: ActivityDependencies,
  recipe: TrainingRecipe,
  features: readonly string[],
  snapshotPath: string,
): Promise<RecipeFacts> {
  const classes = recipe.task === 'regression' ? null : await targetClasses(snapshotPath, recipe.target);
  const schema = await datasetSchema(deps.db, recipe.dataset.datasetVersionId);
  return {
    features,
    classes,
    schema,
    expectation: {
      features,
      featureKinds: Object.fromEntries(
        features.map((feature) => [feature, numericColumn(schema, feature) ? 'number' : 'string']),
      ),
      task: recipe.task,
      classes,
    },
  };
}

/**
 * Checks an ONNX file against the recipe's features, task and classes (an OnnxModelError, not
 * retried, when it does not fit), stores it content-addressed, and stores the model document that
 * names it: the version's model file.
 */
export async function storeOnnxModel(
  deps: ActivityDependencies,
  options: {
    readonly pipelineName: string;
    readonly recipe: TrainingRecipe;
    readonly facts: RecipeFacts;
    readonly onnxPath: string;
    readonly bytes: Uint8Array;
    readonly trainer: OnnxModelDocument['trainer'];
    readonly training: OnnxModelDocument['training'];
  },
): Promise<{ model: ArtifactRef; onnx: ArtifactRef }> {
  const { facts, recipe } = options;
  const scorer = await loadOnnxScorer(options.bytes, facts.expectation);
  const binding = scorer.binding;
  await scorer.release();
  const stored = await deps.artifacts.putFileContentAddressed(
    artifactKeys.modelFile(options.pipelineName),
    '.onnx',
    options.onnxPath,
    { contentType: 'application/octet-stream' },
  );
  const onnx = { uri: stored.uri, sha256: stored.sha256, bytes: stored.bytes };
  await upsertArtifact(deps.db, { ...onnx, kind: 'onnx_model' });
  const document: OnnxModelDocument = {
    format: ONNX_MODEL_FORMAT,
    task: recipe.task,
    target: { name: recipe.target, ...(facts.classes ? { classes: facts.classes } : {}) },
    features: facts.features,
    inputSchema: facts.features.map((feature) => ({
      name: feature,
      type: facts.expectation.featureKinds[feature] === 'number' ? 'number' : 'string',
      missingInTraining: facts.schema.columns.find((column) => column.name === feature)?.nullable ?? true,
    })),
    onnx,
    graph: { ...binding },
    trainer: options.trainer,
    training: options.training,
  };
  const model = await storeJsonArtifact(
    deps,
    artifactKeys.modelFile(options.pipelineName),
    'model',
    canonicalJson(document),
  );
  return { model, onnx };
}

/** DuckDB's numeric types (and booleans, 0 or 1) feed float or integer tensors; everything else is text. */
function numericColumn(schema: DatasetSchema, name: string): boolean {
  const type = schema.columns.find((column) => column.name === name)?.type.toUpperCase() ?? '';
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL|BOOLEAN)/.test(
    type,
  );
}
