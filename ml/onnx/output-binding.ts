/**
 * Which graph output the platform reads (docs/trainers.md): for classification the class
 * probabilities, a float tensor [N, classes] in MLOPS_CLASSES order; for regression the value, a
 * float tensor [N] or [N, 1]. Other outputs (skl2onnx's and onnxmltools' label) are not fetched.
 *
 * onnxruntime-node cannot return a value that is not a tensor ("Non tensor type is temporarily not
 * supported"), so ZipMap's seq(map(label, float)), the converters' default form of probabilities,
 * is refused with how to export without it.
 */
import type { OnnxExpectation } from './expectation.js';
import {
  type GraphDimension,
  type GraphTensor,
  type GraphValue,
  isFloatTensor,
  isTensor,
  shapeText,
  valuesPerRow,
} from './graph-values.js';
import { graphMismatchError, quoted } from './mismatch-message.js';

export interface OnnxOutputBinding {
  readonly name: string;
  readonly type: 'float32' | 'float64';
  /** The shape the graph declares. */
  readonly shape: readonly GraphDimension[];
  /** Values per row: one probability per class, or 1 for regression. */
  readonly width: number;
}

/** The names converters and common exports give the probabilities, most specific first. */
const PROBABILITY_NAMES = ['probabilities', 'output_probability', 'probability', 'probas', 'proba', 'probs'];
/** ...and a regressor's value (skl2onnx writes "variable"). */
const VALUE_NAMES = ['variable', 'predictions', 'prediction', 'values', 'value', 'output'];

// Python's double quotes: a failure's message has its single-quoted parts masked as data values
// (contracts/errors.ts failureMessageOf), which would hide the option's name.
const ZIPMAP_FIX =
  'export the probabilities as a float tensor without ZipMap: skl2onnx: ' +
  'to_onnx(model, ..., options={id(model): {"zipmap": False}}) or options={"zipmap": False}; ' +
  'onnxmltools: convert_lightgbm(model, ..., zipmap=False) (likewise convert_xgboost)';

export function bindOutput(declared: readonly GraphValue[], expectation: OnnxExpectation): OnnxOutputBinding {
  return expectation.task === 'regression'
    ? bindValueOutput(declared)
    : bindProbabilityOutput(declared, expectation.classes ?? []);
}

function bindProbabilityOutput(
  declared: readonly GraphValue[],
  classes: readonly string[],
): OnnxOutputBinding {
  const classCount = classes.length;
  const expected =
    `the class probabilities as a float tensor [N, ${classCount}], one per class in MLOPS_CLASSES order ` +
    `(${quoted(classes)}); a label output may be there too`;
  const fail = (problems: string[], fix: string) =>
    graphMismatchError({ side: 'outputs', problems, declared, expected, fix });
  const classesFix = `train on the ${classCount} classes of MLOPS_CLASSES and output one probability per class, in that order`;

  const named = firstNamed(declared, PROBABILITY_NAMES);
  if (named) {
    if (!isTensor(named)) throw fail([zipMapProblem(named)], ZIPMAP_FIX);
    const width = valuesPerRow(named);
    if (isFloatTensor(named) && (width === classCount || width === 'free')) return binding(named, classCount);
    if (isFloatTensor(named) && typeof width === 'number')
      throw fail([classCountProblem(named, width, classCount)], classesFix);
    throw fail(
      [
        `output ${JSON.stringify(named.name)} is ${named.type} ${shapeText(named.shape)}, not a float tensor [N, ${classCount}]`,
      ],
      `output the probabilities as float32 [N, ${classCount}]`,
    );
  }

  const candidates = declared.filter(
    (value) =>
      isFloatTensor(value) &&
      value.shape.length !== 1 &&
      [classCount, 'free'].includes(valuesPerRow(value) ?? -1),
  );
  if (candidates.length === 1) return binding(candidates[0], classCount);
  if (candidates.length > 1) {
    throw fail(
      [`outputs ${quoted(candidates.map((value) => value.name))} could each be the class probabilities`],
      'name the probability output "probabilities"',
    );
  }

  const notTensors = declared.filter((value) => !isTensor(value));
  if (notTensors.length > 0) throw fail(notTensors.map(zipMapProblem), ZIPMAP_FIX);
  const problems: string[] = [];
  let looksLikeRegression = false;
  for (const value of declared) {
    if (!isFloatTensor(value)) continue;
    const width = valuesPerRow(value);
    if (width === 1) {
      looksLikeRegression = true;
      problems.push(
        `output ${JSON.stringify(value.name)} (${value.type} ${shapeText(value.shape)}) gives one value per row, as a regression model does`,
      );
    } else if (typeof width === 'number') {
      problems.push(classCountProblem(value, width, classCount));
    }
  }
  if (problems.length === 0) problems.push(`no output is a float tensor [N, ${classCount}]`);
  throw fail(
    problems,
    looksLikeRegression
      ? `output the class probabilities as a float tensor [N, ${classCount}] (a binary model with one sigmoid ` +
          'output p: concatenate 1 - p and p), or train a regression model if MLOPS_TASK says regression'
      : classesFix,
  );
}

function bindValueOutput(declared: readonly GraphValue[]): OnnxOutputBinding {
  const expected = 'the predicted value as a float tensor [N] or [N, 1]';
  const candidates = declared.filter(
    (value) => isFloatTensor(value) && [1, 'free'].includes(valuesPerRow(value) ?? -1),
  );
  const chosen = candidates.length === 1 ? candidates[0] : firstNamed(candidates, VALUE_NAMES);
  if (chosen) return binding(chosen, 1);
  const problems: string[] = [];
  if (candidates.length > 1) {
    problems.push(
      `outputs ${quoted(candidates.map((value) => value.name))} could each be the predicted value`,
    );
    throw graphMismatchError({
      side: 'outputs',
      problems,
      declared,
      expected,
      fix: 'name the value output "variable" or "predictions"',
    });
  }
  for (const value of declared) {
    if (!isTensor(value)) {
      problems.push(
        `output ${JSON.stringify(value.name)} is not a tensor (the ZipMap probabilities of a classifier?)`,
      );
      continue;
    }
    const width = valuesPerRow(value);
    if (isFloatTensor(value) && typeof width === 'number' && width > 1) {
      problems.push(
        `output ${JSON.stringify(value.name)} (${value.type} ${shapeText(value.shape)}) gives ${width} values per row, as the probabilities of a classifier do`,
      );
    }
  }
  if (problems.length === 0) problems.push('no output is a float tensor [N] or [N, 1]');
  throw graphMismatchError({
    side: 'outputs',
    problems,
    declared,
    expected,
    fix:
      'export a regressor whose output is its prediction, a float tensor [N] or [N, 1] (MLOPS_TASK is ' +
      'regression for this dataset: a classifier cannot be scored as one)',
  });
}

function binding(value: GraphValue, width: number): OnnxOutputBinding {
  if (!isFloatTensor(value)) throw new TypeError(`output ${value.name} is not a float tensor`);
  return { name: value.name, type: value.type, shape: value.shape, width };
}

function firstNamed(values: readonly GraphValue[], names: readonly string[]): GraphValue | undefined {
  for (const name of names) {
    const value = values.find((candidate) => candidate.name === name);
    if (value) return value;
  }
  return undefined;
}

function zipMapProblem(value: GraphValue): string {
  return (
    `output ${JSON.stringify(value.name)} is not a tensor: skl2onnx and onnxmltools write the probabilities ` +
    'as a sequence of maps (ZipMap: seq(map(label, float))) unless told otherwise, and onnxruntime-node ' +
    'cannot return one'
  );
}

function classCountProblem(value: GraphTensor, width: number, classCount: number): string {
  return (
    `output ${JSON.stringify(value.name)} (${value.type} ${shapeText(value.shape)}) gives ${width} class ` +
    `probabilities per row, but the dataset has ${classCount} classes`
  );
}
