/**
 * Parameters of each trainer: names, types, bounds and defaults, declared once and used both to
 * resolve what a user asked for (errors are TrainingInputError) and to validate a stored model
 * document (errors are ModelDocumentError at the parameter's JSON path). Resolved parameters list
 * every parameter, in declaration order, so a document's bytes do not depend on what was omitted.
 */
import { DEFAULT_GRADIENT_BOOSTING_PARAMS } from '../gbdt/index.js';

export type TrainerName = 'logistic_regression' | 'linear_regression' | 'gradient_boosting';
export const TRAINER_NAMES: readonly TrainerName[] = [
  'logistic_regression',
  'linear_regression',
  'gradient_boosting',
];

export type ClassWeight = 'balanced' | Readonly<Record<string, number>> | null;
export type ParamValue = number | string | null | ClassWeight;
export type ResolvedParams = Readonly<Record<string, ParamValue>>;

type ParamRule =
  | {
      readonly type: 'number';
      readonly default: number | null;
      readonly nullable?: boolean;
      readonly min: number;
      readonly max: number;
      readonly exclusiveMin?: boolean;
      readonly integer?: boolean;
    }
  | { readonly type: 'choice'; readonly default: string; readonly choices: readonly string[] }
  | { readonly type: 'classWeight'; readonly default: null };

const integer = (min: number, max: number, defaultValue: number | null, nullable = false): ParamRule => ({
  type: 'number',
  integer: true,
  min,
  max,
  default: defaultValue,
  nullable,
});
const real = (
  min: number,
  max: number,
  defaultValue: number | null,
  options: { exclusiveMin?: boolean; nullable?: boolean } = {},
): ParamRule => ({
  type: 'number',
  min,
  max,
  default: defaultValue,
  ...options,
});
const choice = (choices: readonly string[], defaultValue: string): ParamRule => ({
  type: 'choice',
  choices,
  default: defaultValue,
});

/** Categories kept per feature: 253 keeps gradient boosting's codes (other and unknown included) within 255. */
const MAX_CATEGORIES_FOR_GRADIENT_BOOSTING = 253;

const ENCODING_RULES = {
  imputation: choice(['mean', 'median'], 'mean'),
  maxCategories: integer(1, 1_000_000, 253),
  minCategoryCount: integer(1, Number.MAX_SAFE_INTEGER, 1),
} as const;

const gradientBoostingDefaults = DEFAULT_GRADIENT_BOOSTING_PARAMS;

const RULES: Readonly<Record<TrainerName, Readonly<Record<string, ParamRule>>>> = {
  logistic_regression: {
    ...ENCODING_RULES,
    /** Penalty on the mean-loss scale; scikit-learn's C is l2 = 1 / (C * n). */
    l2: real(0, 1e6, 1e-4),
    /** scikit-learn's inverse regularization; when set it replaces l2. */
    C: real(0, 1e12, null, { exclusiveMin: true, nullable: true }),
    /** L1 penalty on the mean-loss scale (OWL-QN); scikit-learn's l1_ratio=1 with C is l1 = 1 / (C * n), l2 = 0. */
    l1: real(0, 1e6, 0),
    classWeight: { type: 'classWeight', default: null },
    maxIterations: integer(1, 1_000_000, 100),
    /** Stop when every gradient component is at most this (scikit-learn's tol). */
    tolerance: real(0, 1, 1e-4, { exclusiveMin: true }),
  },
  linear_regression: {
    ...ENCODING_RULES,
    /** Penalty on the mean-loss scale; scikit-learn's Ridge(alpha) is l2 = alpha / n; 0 is OLS. */
    l2: real(0, 1e6, 0),
    solver: choice(['auto', 'cholesky', 'lbfgs'], 'auto'),
    maxIterations: integer(1, 1_000_000, 1000),
    tolerance: real(0, 1, 1e-6, { exclusiveMin: true }),
  },
  gradient_boosting: {
    ...ENCODING_RULES,
    maxCategories: integer(1, MAX_CATEGORIES_FOR_GRADIENT_BOOSTING, MAX_CATEGORIES_FOR_GRADIENT_BOOSTING),
    classWeight: { type: 'classWeight', default: null },
    nEstimators: integer(1, 100_000, gradientBoostingDefaults.nEstimators),
    learningRate: real(0, 10, gradientBoostingDefaults.learningRate, { exclusiveMin: true }),
    growth: choice(['leafwise', 'depthwise'], gradientBoostingDefaults.growth),
    maxLeaves: integer(2, 65_536, gradientBoostingDefaults.maxLeaves),
    maxDepth: integer(1, 64, gradientBoostingDefaults.maxDepth, true),
    minSamplesLeaf: integer(1, Number.MAX_SAFE_INTEGER, gradientBoostingDefaults.minSamplesLeaf),
    l2: real(0, 1e12, gradientBoostingDefaults.l2),
    maxBins: integer(2, 255, gradientBoostingDefaults.maxBins),
    rowSubsample: real(0, 1, gradientBoostingDefaults.rowSubsample, { exclusiveMin: true }),
    featureSubsample: real(0, 1, gradientBoostingDefaults.featureSubsample, { exclusiveMin: true }),
    earlyStoppingRounds: integer(1, 100_000, gradientBoostingDefaults.earlyStoppingRounds, true),
  },
};

/**
 * Execution options accepted with the parameters but never resolved or stored: they change how
 * fast a model is trained, never the model.
 */
const EXECUTION_PARAMS: Readonly<Record<TrainerName, readonly string[]>> = {
  logistic_regression: ['threads'],
  linear_regression: [],
  gradient_boosting: ['threads'],
};

/**
 * Checks `given` against the trainer's rules and fills defaults. `report(name, problem)` builds
 * the error to throw; `requireAll` refuses omitted parameters (stored documents hold them all).
 * `readEntry` reads one named value from `given` (so callers decide how untrusted objects are read).
 */
export function resolveParams(
  trainer: TrainerName,
  givenNames: readonly string[],
  readEntry: (name: string) => unknown,
  report: (name: string | null, problem: string) => Error,
  requireAll: boolean,
): ResolvedParams {
  const rules = RULES[trainer];
  for (const name of givenNames) {
    if (!Object.hasOwn(rules, name) && !EXECUTION_PARAMS[trainer].includes(name)) {
      throw report(name, `is unknown to ${trainer}; known parameters: ${Object.keys(rules).join(', ')}`);
    }
  }
  const resolved: Record<string, ParamValue> = {};
  for (const [name, rule] of Object.entries(rules)) {
    if (!givenNames.includes(name)) {
      if (requireAll) throw report(name, 'is missing');
      resolved[name] = rule.default;
      continue;
    }
    resolved[name] = checkValue(rule, readEntry(name), (problem) => report(name, problem));
  }
  return resolved;
}

function checkValue(rule: ParamRule, value: unknown, report: (problem: string) => Error): ParamValue {
  if (rule.type === 'choice') {
    if (typeof value !== 'string' || !rule.choices.includes(value))
      throw report(`must be one of ${rule.choices.join(', ')}`);
    return value;
  }
  if (rule.type === 'classWeight') return checkClassWeight(value, report);
  if (value === null && rule.nullable) return null;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw report(`must be a finite number${rule.nullable ? ' or null' : ''}`);
  if (rule.integer && !Number.isInteger(value)) throw report(`must be an integer, got ${value}`);
  if (value < rule.min || value > rule.max || (rule.exclusiveMin && value === rule.min)) {
    throw report(`must be in ${rule.exclusiveMin ? '(' : '['}${rule.min}, ${rule.max}], got ${value}`);
  }
  return value;
}

function checkClassWeight(value: unknown, report: (problem: string) => Error): ClassWeight {
  if (value === null || value === 'balanced') return value;
  const problem = "must be null, 'balanced' or an object of class label to positive weight";
  if (typeof value !== 'object' || Array.isArray(value)) throw report(problem);
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw report(problem);
  const weights: Record<string, number> = {};
  for (const label of Object.keys(value).sort()) {
    const descriptor = Object.getOwnPropertyDescriptor(value, label);
    const weight: unknown = descriptor && 'value' in descriptor ? descriptor.value : undefined;
    if (label === '__proto__' || label === 'constructor' || label === 'prototype')
      throw report(`has a forbidden label ${label}`);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > 1e12) {
      throw report(`weight of class ${JSON.stringify(label)} must be a positive finite number`);
    }
    weights[label] = weight;
  }
  return weights;
}
