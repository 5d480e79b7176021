/**
 * Strict loading of a stored gradient boosting model: every field's type and bounds are checked and
 * each tree is proven to be a tree (children after their parent, every node reached once), so
 * scoring a loaded model always terminates. The result is a fresh copy of the validated value.
 */
import { ModelDocumentError } from '../model/errors.js';
import { TrainingInputError } from '../training.js';
import {
  readArray,
  readBoolean,
  readChoice,
  readField,
  readFinite,
  readInteger,
  readObject,
  readString,
} from './json-reader.js';
import { checkParams, MAX_CARDINALITY } from './training-input.js';
import {
  outputCountFor,
  type GradientBoostingFeatureSchema,
  type GradientBoostingModel,
  type GradientBoostingParams,
  type GradientBoostingTree,
} from './types.js';

const MAX_FEATURES = 100_000;
const MAX_NAME_LENGTH = 10_000;

export function validateGradientBoostingModel(value: unknown, path: string): GradientBoostingModel {
  try {
    return readModel(value, path);
  } catch (error) {
    if (error instanceof ModelDocumentError) throw error;
    // A value that is not plain JSON (getters, exotic objects) must still fail as a document error.
    throw new ModelDocumentError(
      path,
      `could not be read (${error instanceof Error ? error.message : 'unknown'})`,
    );
  }
}

function readModel(value: unknown, path: string): GradientBoostingModel {
  const model = readObject(value, path);
  readChoice(readField(model, 'format', path), `${path}.format`, ['mlops.gbdt/v1']);
  const params = readParams(readField(model, 'params', path), `${path}.params`);
  const outputCount = outputCountFor(params.classCount);
  const featuresPath = `${path}.features`;
  const features = readArray(readField(model, 'features', path), featuresPath, 1, MAX_FEATURES).map(
    (entry, index) => readFeature(entry, `${featuresPath}[${index}]`),
  );
  const baseScores = readArray(
    readField(model, 'baseScores', path),
    `${path}.baseScores`,
    outputCount,
    outputCount,
  ).map((score, index) => readFinite(score, `${path}.baseScores[${index}]`));
  const bestIteration = readInteger(
    readField(model, 'bestIteration', path),
    `${path}.bestIteration`,
    0,
    params.nEstimators,
  );
  const treeCount = bestIteration * outputCount;
  const trees = readArray(readField(model, 'trees', path), `${path}.trees`, treeCount, treeCount).map(
    (tree, index) => readTree(tree, `${path}.trees[${index}]`, features, params.maxLeaves),
  );
  const featureImportance = readArray(
    readField(model, 'featureImportance', path),
    `${path}.featureImportance`,
    features.length,
    features.length,
  ).map((entry, index) => {
    const importance = readFinite(entry, `${path}.featureImportance[${index}]`);
    if (importance < 0) throw new ModelDocumentError(`${path}.featureImportance[${index}]`, 'must be >= 0');
    return importance;
  });
  return { format: 'mlops.gbdt/v1', params, features, baseScores, trees, bestIteration, featureImportance };
}

function readParams(value: unknown, path: string): GradientBoostingParams {
  const object = readObject(value, path);
  const number = (key: string): number => readFinite(readField(object, key, path), `${path}.${key}`);
  const nullableNumber = (key: string): number | null => {
    const field = readField(object, key, path);
    return field === null ? null : readFinite(field, `${path}.${key}`);
  };
  const params: GradientBoostingParams = {
    loss: readChoice(readField(object, 'loss', path), `${path}.loss`, [
      'binary_logloss',
      'multiclass_softmax',
      'squared_error',
    ]),
    classCount: number('classCount'),
    nEstimators: number('nEstimators'),
    learningRate: number('learningRate'),
    growth: readChoice(readField(object, 'growth', path), `${path}.growth`, ['leafwise', 'depthwise']),
    maxLeaves: number('maxLeaves'),
    maxDepth: nullableNumber('maxDepth'),
    minSamplesLeaf: number('minSamplesLeaf'),
    l2: number('l2'),
    maxBins: number('maxBins'),
    rowSubsample: number('rowSubsample'),
    featureSubsample: number('featureSubsample'),
    earlyStoppingRounds: nullableNumber('earlyStoppingRounds'),
    seed: number('seed'),
  };
  try {
    checkParams(params);
  } catch (error) {
    if (error instanceof TrainingInputError) throw new ModelDocumentError(path, error.message);
    throw error;
  }
  return params;
}

function readFeature(value: unknown, path: string): GradientBoostingFeatureSchema {
  const object = readObject(value, path);
  const kind = readChoice(readField(object, 'kind', path), `${path}.kind`, ['numeric', 'categorical']);
  const name = readString(readField(object, 'name', path), `${path}.name`, MAX_NAME_LENGTH);
  if (kind === 'numeric') return { kind, name };
  const cardinality = readInteger(
    readField(object, 'cardinality', path),
    `${path}.cardinality`,
    1,
    MAX_CARDINALITY,
  );
  const seenPath = `${path}.seenCategories`;
  const seenCategories = readCategories(readField(object, 'seenCategories', path), seenPath, cardinality);
  return { kind, name, cardinality, seenCategories };
}

/** Reads one tree; also used to check the trees of a training checkpoint. */
export function readTree(
  value: unknown,
  path: string,
  features: readonly GradientBoostingFeatureSchema[],
  maxLeaves: number,
): GradientBoostingTree {
  const object = readObject(value, path);
  const maxNodes = 2 * maxLeaves - 1;
  const rawFeature = readArray(readField(object, 'feature', path), `${path}.feature`, 1, maxNodes);
  const nodeCount = rawFeature.length;
  const column = (key: string): unknown[] => {
    return readArray(readField(object, key, path), `${path}.${key}`, nodeCount, nodeCount);
  };
  const rawThreshold = column('threshold');
  const rawCategories = column('leftCategories');
  const rawMissing = column('missingGoesLeft');
  const rawLeft = column('left');
  const rawRight = column('right');
  const rawValue = column('value');
  const rawGain = column('gain');
  const tree: GradientBoostingTree = {
    feature: [],
    threshold: [],
    leftCategories: [],
    missingGoesLeft: [],
    left: [],
    right: [],
    value: [],
    gain: [],
  };
  const parents = new Uint8Array(nodeCount);
  for (let node = 0; node < nodeCount; node++) {
    const at = (key: string): string => `${path}.${key}[${node}]`;
    const feature = readInteger(rawFeature[node], at('feature'), -1, features.length - 1);
    tree.feature.push(feature);
    tree.threshold.push(readFinite(rawThreshold[node], at('threshold')));
    tree.missingGoesLeft.push(readBoolean(rawMissing[node], at('missingGoesLeft')));
    tree.value.push(readFinite(rawValue[node], at('value')));
    tree.gain.push(readFinite(rawGain[node], at('gain')));
    if (feature === -1) {
      readInteger(rawLeft[node], at('left'), -1, -1);
      readInteger(rawRight[node], at('right'), -1, -1);
      if (rawCategories[node] !== null)
        throw new ModelDocumentError(at('leftCategories'), 'must be null for a leaf');
      tree.left.push(-1);
      tree.right.push(-1);
      tree.leftCategories.push(null);
      continue;
    }
    // Children come after their parent and each node has one parent: no cycles, no sharing.
    const left = readInteger(rawLeft[node], at('left'), node + 1, nodeCount - 1);
    const right = readInteger(rawRight[node], at('right'), node + 1, nodeCount - 1);
    for (const [child, key] of [
      [left, 'left'],
      [right, 'right'],
    ] as const) {
      if (parents[child] === 1) throw new ModelDocumentError(at(key), `node ${child} already has a parent`);
      parents[child] = 1;
    }
    tree.left.push(left);
    tree.right.push(right);
    const schema = features[feature];
    tree.leftCategories.push(
      schema.kind === 'categorical'
        ? readCategories(rawCategories[node], at('leftCategories'), schema.cardinality)
        : null,
    );
    if (schema.kind === 'numeric' && rawCategories[node] !== null) {
      throw new ModelDocumentError(at('leftCategories'), 'must be null for a numeric split');
    }
  }
  for (let node = 1; node < nodeCount; node++) {
    if (parents[node] === 0)
      throw new ModelDocumentError(`${path}.feature[${node}]`, 'node is not reachable from the root');
  }
  return tree;
}

/** Sorted, distinct codes in [0, cardinality). */
function readCategories(value: unknown, path: string, cardinality: number): number[] {
  const codes = readArray(value, path, 0, cardinality);
  let previous = -1;
  return codes.map((entry, index) => {
    const code = readInteger(entry, `${path}[${index}]`, previous + 1, cardinality - 1);
    previous = code;
    return code;
  });
}
