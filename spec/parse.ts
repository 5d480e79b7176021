import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { controlCharacterProblems, searchProblems, specSizeProblem, trainerParamProblems } from './limits.js';
import { specSchema } from './schema.js';
import { COMMAND_TRAINER, isFairnessGate, metricFitsTask, type PipelineSpec } from './types.js';

export interface SpecProblem {
  /** Where in the spec, e.g. `train.trainer` or `validation.columns."Body Mass (g)".min`. */
  readonly path: string;
  readonly message: string;
}

/** A spec that cannot run; every problem is listed, each with where it is and what is allowed. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  constructor(
    readonly source: string,
    readonly problems: readonly SpecProblem[],
  ) {
    super(
      `invalid pipeline spec ${source}:\n${problems.map((problem) => `  - ${problem.path}: ${problem.message}`).join('\n')}`,
    );
  }
}

/** Parses YAML or JSON text (by extension, JSON when the text starts with `{`) into a complete spec. */
export function parseSpecText(text: string, source = 'spec'): PipelineSpec {
  return parseSpec(readSpecDocument(text, source), source);
}

/** The YAML or JSON document of a spec file, not yet validated. */
export function readSpecDocument(text: string, source = 'spec'): unknown {
  const tooLarge = specSizeProblem(text);
  if (tooLarge) throw new SpecError(source, [tooLarge]);
  let document: unknown;
  try {
    const asJson = path.extname(source) === '.json' || text.trimStart().startsWith('{');
    document = asJson ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    const where =
      error instanceof YAMLParseError && error.linePos ? `line ${error.linePos[0].line}` : '(document)';
    throw new SpecError(source, [
      {
        path: where,
        message: `not valid ${path.extname(source) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
      },
    ]);
  }
  return document;
}

export function parseSpec(document: unknown, source = 'spec'): PipelineSpec {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new SpecError(source, [
      { path: '(document)', message: 'must be a mapping with at least name, dataset, target and train' },
    ]);
  }
  const tooLarge = specSizeProblem(JSON.stringify(document) ?? '');
  if (tooLarge) throw new SpecError(source, [tooLarge]);
  const characters = controlCharacterProblems(document);
  const result = specSchema.safeParse(document, { reportInput: true });
  if (!result.success || characters.length > 0)
    throw new SpecError(source, [
      ...characters,
      ...(result.success ? [] : result.error.issues.flatMap((issue) => describeIssue(issue))),
    ]);
  const spec = result.data as PipelineSpec;
  const problems = crossFieldProblems(spec);
  if (problems.length > 0) throw new SpecError(source, problems);
  return spec;
}

function describeIssue(issue: z.core.$ZodIssue): SpecProblem[] {
  const where = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path);
    return issue.keys.map((key) => {
      const suggestion = closest(key, known);
      return {
        path: formatPath([...issue.path, key]),
        message: `unknown field${suggestion ? `; did you mean "${suggestion}"?` : ''} (allowed here: ${known.join(', ')})`,
      };
    });
  }
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return [
      {
        path: where,
        message: `${JSON.stringify(issue.input)} is not allowed; allowed: ${issue.values.map(String).join(', ')}`,
      },
    ];
  }
  if (issue.code === 'invalid_type' && issue.input === undefined)
    return [{ path: where, message: `is required (${issue.expected})` }];
  return [{ path: where, message: issue.message }];
}

function formatPath(segments: readonly PropertyKey[]): string {
  if (segments.length === 0) return '(document)';
  return segments
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const text = String(segment);
      const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) ? text : JSON.stringify(text);
      return index === 0 ? plain : `.${plain}`;
    })
    .join('');
}

/** The field names the schema allows at `segments` (for "did you mean" suggestions). */
function knownKeysAt(segments: readonly PropertyKey[]): string[] {
  let schema: unknown = specSchema;
  for (const segment of segments) schema = childSchema(unwrap(schema), segment);
  const shape = (unwrap(schema) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(schema: unknown): unknown {
  let current = schema as { _zod?: { def: { innerType?: unknown; in?: unknown; type: string } } };
  while (current?._zod?.def.innerType || current?._zod?.def.type === 'pipe') {
    current = (current._zod.def.innerType ?? current._zod.def.in) as typeof current;
  }
  return current;
}

function childSchema(schema: unknown, segment: PropertyKey): unknown {
  const def = (
    schema as {
      _zod: {
        def: { type: string; shape?: Record<string, unknown>; element?: unknown; valueType?: unknown };
      };
    }
  )._zod.def;
  if (def.type === 'object') return def.shape?.[String(segment)];
  if (def.type === 'array') return def.element;
  if (def.type === 'record') return def.valueType;
  return undefined;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= Math.max(2, Math.floor(candidate.length / 3)) && (!best || distance < best.distance))
      best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j];
      const swap = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? 0 : Infinity;
      previous[j] = Math.min(
        previous[j] + 1,
        previous[j - 1] + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
        diagonal + swap,
      );
      diagonal = above;
    }
  }
  return previous[b.length];
}

function crossFieldProblems(spec: PipelineSpec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const add = (where: string, message: string) => problems.push({ path: where, message });
  const uri = spec.dataset.uri;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !/^(file|s3|https?):\/\//i.test(uri)) {
    add(
      'dataset.uri',
      `unsupported scheme in ${JSON.stringify(uri)}; use a local path, file://, s3:// or http(s)://`,
    );
  }
  if (!spec.dataset.format && !/\.(csv|json|parquet)(\?.*)?$/i.test(uri)) {
    add('dataset.format', 'cannot be inferred from the URI; set it to csv, json or parquet');
  }
  for (const [field, columns] of [
    ['exclude', spec.exclude],
    ['pii.drop', spec.pii.drop],
    ['pii.hash', spec.pii.hash],
    ['pii.hashed', spec.pii.hashed ?? []],
    ['features', spec.features],
    ['sensitive', spec.sensitive],
  ] as const) {
    if (columns.includes(spec.target)) add(field, `lists the target ${JSON.stringify(spec.target)}`);
  }
  for (const column of spec.features) {
    if (spec.exclude.includes(column)) add('features', `${JSON.stringify(column)} is also in exclude`);
    if (spec.pii.drop.includes(column))
      add('features', `${JSON.stringify(column)} is dropped as PII (pii.drop)`);
  }
  for (const column of spec.serving.allowMissing) {
    if (column === spec.target)
      add('serving.allowMissing', `lists the target ${JSON.stringify(column)}, which serving predicts`);
    else if (spec.exclude.includes(column) || spec.pii.drop.includes(column))
      add(
        'serving.allowMissing',
        `${JSON.stringify(column)} is not a model input (it is in ${spec.exclude.includes(column) ? 'exclude' : 'pii.drop'})`,
      );
    else if (spec.features.length > 0 && !spec.features.includes(column))
      add(
        'serving.allowMissing',
        `${JSON.stringify(column)} is not in features (${spec.features.join(', ')})`,
      );
  }
  for (const column of spec.sensitive) {
    if (spec.pii.drop.includes(column))
      add('sensitive', `${JSON.stringify(column)} is dropped as PII, so fairness cannot be measured on it`);
  }
  for (const column of spec.pii.hash)
    if (spec.pii.drop.includes(column)) add('pii.hash', `${JSON.stringify(column)} is also in pii.drop`);
  for (const column of spec.pii.hashed ?? [])
    if (spec.pii.drop.includes(column) || spec.pii.hash.includes(column))
      add(
        'pii.hashed',
        `${JSON.stringify(column)} is also in pii.${spec.pii.drop.includes(column) ? 'drop' : 'hash'}`,
      );
  const { split } = spec;
  if (split.strategy === 'time' && !split.timeColumn)
    add('split.timeColumn', 'is required when split.strategy is time');
  if (split.strategy === 'random' && split.timeColumn)
    add('split.timeColumn', 'only applies when split.strategy is time');
  if (split.testFraction + split.validationFraction >= 1)
    add('split', 'testFraction + validationFraction must leave rows to train on (sum below 1)');
  spec.evaluation.gates.forEach((gate, index) => {
    if (gate.min !== undefined && gate.max !== undefined && gate.min > gate.max)
      add(`evaluation.gates[${index}]`, 'min is above max');
    if (isFairnessGate(gate)) {
      if (spec.sensitive.length === 0)
        add(`evaluation.gates[${index}]`, 'a fairness gate needs at least one column in `sensitive`');
      if (gate.attribute && !spec.sensitive.includes(gate.attribute)) {
        add(
          `evaluation.gates[${index}].attribute`,
          `${JSON.stringify(gate.attribute)} is not in sensitive (${spec.sensitive.join(', ') || 'empty'})`,
        );
      }
    } else if (spec.task && !metricFitsTask(gate.metric, spec.task)) {
      add(`evaluation.gates[${index}].metric`, `${gate.metric} does not apply to a ${spec.task} task`);
    }
  });
  if (
    spec.task &&
    spec.evaluation.primaryMetric &&
    !metricFitsTask(spec.evaluation.primaryMetric, spec.task)
  ) {
    add('evaluation.primaryMetric', `${spec.evaluation.primaryMetric} does not apply to a ${spec.task} task`);
  }
  if (spec.train.trainer === 'linear_regression' && spec.task && spec.task !== 'regression') {
    add(
      'train.trainer',
      `linear_regression predicts numbers; this is a ${spec.task} task (use logistic_regression or gradient_boosting)`,
    );
  }
  if (spec.train.maxTrials !== undefined && !spec.train.search)
    add('train.maxTrials', 'only applies with train.search');
  problems.push(
    ...commandTrainerProblems(spec.train),
    ...searchProblems(spec.train),
    ...trainerParamProblems(spec.train),
  );
  return problems;
}

/** `trainer: command` needs a command; its other fields belong to it alone (docs/trainers.md). */
function commandTrainerProblems(train: PipelineSpec['train']): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const commandFields = (['command', 'python', 'timeout'] as const).filter(
    (field) => train[field] !== undefined,
  );
  if (train.trainer === COMMAND_TRAINER) {
    if (!train.command)
      problems.push({
        path: 'train.command',
        message:
          'is required with `trainer: command`: the program and its arguments, e.g. ["python3", "train.py"]',
      });
    if (train.python?.requirements && train.python.requirementsFile)
      problems.push({ path: 'train.python', message: 'give requirements or requirementsFile, not both' });
    if (train.python && !train.python.requirements && !train.python.requirementsFile)
      problems.push({ path: 'train.python', message: 'needs requirements (a list) or requirementsFile' });
    const file = train.python?.requirementsFile;
    if (file && (path.isAbsolute(file) || file.split(/[\\/]/).includes('..')))
      problems.push({
        path: 'train.python.requirementsFile',
        message: `${JSON.stringify(file)} must be a file in the spec's folder (a relative path without ..)`,
      });
  } else {
    for (const field of commandFields)
      problems.push({ path: `train.${field}`, message: 'only applies with `trainer: command`' });
  }
  return problems;
}
