/**
 * Which graph input carries which feature (docs/trainers.md, "What model.onnx must look like"):
 * - per feature: one input per feature, named as the column, shape [N, 1] or [N]; a float32,
 *   float64 or int64 tensor for a numeric column, a string tensor for a text column;
 * - matrix: a single float tensor [N, features.length], the features in expectation order (numeric
 *   features only: text has to be encoded by the trainer's code, inside the graph or before it).
 *
 * An input may also carry the name skl2onnx gives a column it cannot use as is ("Beak Length (mm)"
 * becomes "Beak_Length__mm_"), so a scikit-learn pipeline exported the ordinary way fits.
 */
import type { OnnxExpectation } from './expectation.js';
import {
  type GraphDimension,
  type GraphTensor,
  type GraphValue,
  hasFixedRowCount,
  isTensor,
  shapeText,
  valuesPerRow,
} from './graph-values.js';
import { graphMismatchError, listed, quoted } from './mismatch-message.js';

export type OnnxInputType = 'float32' | 'float64' | 'int64' | 'string';

const NUMERIC_INPUT_TYPES: readonly string[] = ['float32', 'float64', 'int64'];
const MATRIX_INPUT_TYPES: readonly string[] = ['float32', 'float64'];

export interface OnnxInputBinding {
  readonly name: string;
  readonly type: OnnxInputType;
  /** The shape the graph declares. */
  readonly shape: readonly GraphDimension[];
  /** The rank of the tensors fed: 1 is [N], 2 is [N, features.length]. */
  readonly rank: 1 | 2;
  /** The features it carries, in column order: one per input, or all of them in a matrix. */
  readonly features: readonly string[];
}

export interface OnnxInputsBinding {
  readonly layout: 'per-feature' | 'matrix';
  readonly inputs: readonly OnnxInputBinding[];
}

/** Binds the graph's inputs to the features, or throws an OnnxModelError saying what does not fit. */
export function bindInputs(declared: readonly GraphValue[], expectation: OnnxExpectation): OnnxInputsBinding {
  const inputOfFeature = matchInputsByName(declared, expectation.features);
  const unmatched = expectation.features.filter((feature) => !inputOfFeature.has(feature));
  if (unmatched.length === 0) return bindPerFeature(declared, inputOfFeature, expectation);
  // A single input that is no feature's is the matrix form; one named as a feature is per-feature
  // with the other features missing.
  const matchedInputs = new Set(inputOfFeature.values());
  if (declared.length === 1 && !matchedInputs.has(declared[0])) return bindMatrix(declared[0], expectation);
  throw inputMismatch(
    declared,
    expectation,
    unmatched.map((feature) => `no input is named as feature ${featureNames(feature)}`),
  );
}

/**
 * The name skl2onnx gives an input for a column name (its Topology._generate_unique_name): every
 * character other than a letter, digit, `_` or `+` becomes `_`, and a leading digit gets a `_`.
 */
export function converterInputName(feature: string): string {
  const name = feature.replace(/[^\p{L}\p{N}\p{M}\p{Pc}+]/gu, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** `"Body Mass (g)"`, with the converter's spelling when it differs: `"Body Mass (g)" (or "Body_Mass__g_")`. */
function featureNames(feature: string): string {
  const converted = converterInputName(feature);
  return converted === feature
    ? JSON.stringify(feature)
    : `${JSON.stringify(feature)} (or ${JSON.stringify(converted)})`;
}

/** Each feature's input: the one named exactly as the column, else the one named as skl2onnx spells it. */
function matchInputsByName(
  declared: readonly GraphValue[],
  features: readonly string[],
): Map<string, GraphValue> {
  const byName = new Map(declared.map((value) => [value.name, value]));
  const matched = new Map<string, GraphValue>();
  const claimed = new Set<string>();
  for (const feature of features) {
    const input = byName.get(feature);
    if (input) {
      matched.set(feature, input);
      claimed.add(feature);
    }
  }
  const featureSet = new Set(features);
  const convertedCounts = new Map<string, number>();
  for (const feature of features) {
    const converted = converterInputName(feature);
    convertedCounts.set(converted, (convertedCounts.get(converted) ?? 0) + 1);
  }
  for (const feature of features) {
    if (matched.has(feature)) continue;
    const converted = converterInputName(feature);
    const input = byName.get(converted);
    // Ambiguous spellings (two columns that become the same name, or a column already named so)
    // are left unmatched: guessing could feed one column's values to another's input.
    if (
      !input ||
      claimed.has(converted) ||
      featureSet.has(converted) ||
      convertedCounts.get(converted) !== 1
    ) {
      continue;
    }
    matched.set(feature, input);
    claimed.add(converted);
  }
  return matched;
}

function bindPerFeature(
  declared: readonly GraphValue[],
  inputOfFeature: ReadonlyMap<string, GraphValue>,
  expectation: OnnxExpectation,
): OnnxInputsBinding {
  const problems: string[] = [];
  const inputs: OnnxInputBinding[] = [];
  for (const feature of expectation.features) {
    const input = inputOfFeature.get(feature) as GraphValue;
    const kind = expectation.featureKinds[feature];
    const label = `input ${JSON.stringify(input.name)} (feature ${JSON.stringify(feature)}, a ${kind === 'string' ? 'text' : 'numeric'} column)`;
    if (!isTensor(input)) {
      problems.push(`${label} is not a tensor`);
      continue;
    }
    if (kind === 'string' && input.type !== 'string') {
      problems.push(`${label} is ${input.type}, not a string tensor`);
    } else if (kind === 'number' && !NUMERIC_INPUT_TYPES.includes(input.type)) {
      problems.push(`${label} is ${input.type}, not float32, float64 or int64`);
    }
    const width = valuesPerRow(input);
    if (width !== 1 && width !== 'free')
      problems.push(`${label} has shape ${shapeText(input.shape)}, not [N, 1] or [N]`);
    if (hasFixedRowCount(input)) problems.push(fixedRowsProblem(input));
    inputs.push({
      name: input.name,
      type: input.type as OnnxInputType,
      shape: input.shape,
      rank: input.shape.length === 1 ? 1 : 2,
      features: [feature],
    });
  }
  const used = new Set(inputs.map((input) => input.name));
  const extra = declared.filter((value) => !used.has(value.name)).map((value) => value.name);
  if (extra.length > 0) {
    problems.push(`the graph also needs inputs that are no feature of the dataset: ${quoted(extra)}`);
  }
  if (problems.length > 0) throw inputMismatch(declared, expectation, problems);
  return { layout: 'per-feature', inputs };
}

function bindMatrix(input: GraphValue, expectation: OnnxExpectation): OnnxInputsBinding {
  const { features } = expectation;
  const problems: string[] = [];
  const label = `the single input ${JSON.stringify(input.name)}`;
  const textFeatures = features.filter((feature) => expectation.featureKinds[feature] === 'string');
  if (!isTensor(input)) {
    problems.push(`${label} is not a tensor`);
    throw inputMismatch([input], expectation, problems);
  }
  if (!MATRIX_INPUT_TYPES.includes(input.type))
    problems.push(`${label} is ${input.type}, not a float tensor`);
  if (textFeatures.length > 0) {
    problems.push(
      `${label} is taken as a float matrix of every feature, which cannot carry the text ` +
        `${textFeatures.length === 1 ? 'feature' : 'features'} ${quoted(textFeatures)}`,
    );
  }
  const width = valuesPerRow(input);
  if (width !== 'free' && width !== features.length) {
    problems.push(
      `${label} has shape ${shapeText(input.shape)}, not [N, ${features.length}] for the ${features.length} features`,
    );
  }
  if (hasFixedRowCount(input)) problems.push(fixedRowsProblem(input));
  if (problems.length > 0) throw inputMismatch([input], expectation, problems);
  return {
    layout: 'matrix',
    inputs: [
      {
        name: input.name,
        type: input.type as OnnxInputType,
        shape: input.shape,
        rank: input.shape.length === 1 ? 1 : 2,
        features: [...features],
      },
    ],
  };
}

function fixedRowsProblem(input: GraphTensor): string {
  return (
    `input ${JSON.stringify(input.name)} has shape ${shapeText(input.shape)}, a fixed number of rows ` +
    `(${input.shape[0]}) where the rows must be left free (torch.onnx.export: dynamic_axes or dynamic_shapes ` +
    'for dimension 0; skl2onnx and onnxmltools: None)'
  );
}

function inputMismatch(declared: readonly GraphValue[], expectation: OnnxExpectation, problems: string[]) {
  const { features, featureKinds } = expectation;
  const allNumeric = features.every((feature) => featureKinds[feature] === 'number');
  const perFeature = listed(
    features.map(
      (feature) => `${JSON.stringify(feature)}: ${featureKinds[feature] === 'string' ? 'text' : 'number'}`,
    ),
  );
  const expected =
    `one input per feature named as the column (${perFeature}), shape [N, 1] or [N]` +
    (allNumeric
      ? `, or one float input of shape [N, ${features.length}] with the features in that order`
      : '');
  const fix = allNumeric
    ? `export one input per feature named as the column, or one float input of shape [N, ${features.length}]`
    : 'export one input per feature named as the column: a string tensor [N, 1] for each text column ' +
      '(skl2onnx: StringTensorType([None, 1])), a float tensor [N, 1] for each numeric one; a matrix input ' +
      'cannot carry text';
  return graphMismatchError({ side: 'inputs', problems, declared, expected, fix });
}
