/**
 * What a spec may hold, checked before anything runs: a spec is untrusted input that ends up in
 * workflow histories, PostgreSQL rows and SQL text, so its size, its characters, its search grid
 * and its trainer parameters are bounded here (exit 2 from the CLI) rather than failing, or
 * hanging, stages later.
 */
import { resolveParams, TRAINER_NAMES, type TrainerName } from '../ml/model/trainer-params.js';
import { MAX_TRIALS, type PipelineSpec } from './types.js';

export { MAX_TRIALS };

/**
 * A spec's text at most: far above any real spec (the examples are under 2 KiB), far below
 * Temporal's 2 MB payload limit, which a spec (an argument of the run) must fit in with room to spare.
 */
export const MAX_SPEC_BYTES = 256 * 1024;

/** The largest grid `maxTrials` may sample from: combinations are counted exactly up to here. */
export const MAX_GRID_COMBINATIONS = Number.MAX_SAFE_INTEGER;

export interface LimitProblem {
  readonly path: string;
  readonly message: string;
}

/** A spec text over the size limit (checked before it is parsed: parsing costs memory). */
export function specSizeProblem(text: string): LimitProblem | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_SPEC_BYTES) return undefined;
  return {
    path: '(document)',
    message:
      `is ${bytes.toLocaleString('en-US')} bytes; a spec may have at most ${MAX_SPEC_BYTES.toLocaleString('en-US')} ` +
      '(it travels in the run\'s history). Keep data out of the spec: long "allowed" lists belong in the dataset or a query',
  };
}

/**
 * C0 control characters and DEL: PostgreSQL refuses NUL in text, and the others have no business
 * in names, paths or values. Tabs and line breaks are allowed in `dataset.query` only (SQL text).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- as above
const controlCharacterOrBreak = /[\u0000-\u001f\u007f]/;

/** Every key and string value of the document with a control character, by its path. */
export function controlCharacterProblems(document: unknown): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const visit = (value: unknown, path: readonly string[]) => {
    if (typeof value === 'string') {
      const pattern = path.join('.') === 'dataset.query' ? controlCharacter : controlCharacterOrBreak;
      const found = pattern.exec(value);
      if (found) problems.push({ path: formatPath(path), message: controlMessage(found[0]) });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...path, `[${index}]`]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const found = controlCharacterOrBreak.exec(key);
        if (found) {
          problems.push({ path: formatPath([...path, key]), message: `the key ${controlMessage(found[0])}` });
          continue;
        }
        visit(item, [...path, key]);
      }
    }
  };
  visit(document, []);
  return problems;
}

function controlMessage(character: string): string {
  const code = `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return `contains the control character ${code}${code === 'U+0000' ? ' (NUL)' : ''}; remove it`;
}

function formatPath(path: readonly string[]): string {
  if (path.length === 0) return '(document)';
  return path
    .map((segment, index) => {
      if (segment.startsWith('[')) return segment;
      const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? segment : JSON.stringify(segment);
      return index === 0 ? plain : `.${plain}`;
    })
    .join('');
}

/** How many combinations `search` spans, or Infinity past MAX_GRID_COMBINATIONS. */
export function gridSize(search: Readonly<Record<string, readonly unknown[]>>): number {
  let size = 1;
  for (const values of Object.values(search)) {
    size *= values.length;
    if (size > MAX_GRID_COMBINATIONS) return Infinity;
  }
  return size;
}

/** A grid tried in full must fit MAX_TRIALS; a bigger one needs `maxTrials` to sample it. */
export function searchProblems(train: PipelineSpec['train']): LimitProblem[] {
  if (!train.search) return [];
  const size = gridSize(train.search);
  const count =
    size === Infinity
      ? `more than ${MAX_GRID_COMBINATIONS.toLocaleString('en-US')}`
      : size.toLocaleString('en-US');
  if (size === Infinity)
    return [
      {
        path: 'train.search',
        message: `spans ${count} combinations, more than can be sampled; search fewer values`,
      },
    ];
  if (train.maxTrials === undefined && train.searchStrategy === 'grid' && size > MAX_TRIALS) {
    return [
      {
        path: 'train.search',
        message:
          `spans ${count} combinations, more than the ${MAX_TRIALS} trials a run may have; ` +
          'set train.maxTrials to try a seeded sample of them, or search fewer values',
      },
    ];
  }
  return [];
}

/**
 * A built-in trainer's `params` and every value `search` may give them, against the trainer's
 * declared names and bounds (ml/model/trainer-params.ts), so a typo or an absurd value (1e9 trees)
 * is refused before any stage runs. A command trainer's parameters are its own business.
 */
export function trainerParamProblems(train: PipelineSpec['train']): LimitProblem[] {
  const trainer = train.trainer as TrainerName;
  if (!TRAINER_NAMES.includes(trainer)) return [];
  const problems: LimitProblem[] = [];
  const check = (path: string, name: string, value: unknown) => {
    if (name === 'threads') {
      // An execution option (how fast, never what is learned): not among the stored parameters.
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 64)
        problems.push({ path, message: `must be an integer from 1 to 64, got ${JSON.stringify(value)}` });
      if (trainer !== 'linear_regression') return;
    }
    try {
      resolveParams(
        trainer,
        [name],
        () => value,
        (_name, problem) => new Error(problem),
        false,
      );
    } catch (error) {
      problems.push({ path, message: (error as Error).message });
    }
  };
  for (const [name, value] of Object.entries(train.params)) check(`train.params.${name}`, name, value);
  for (const [name, values] of Object.entries(train.search ?? {}))
    values.forEach((value, index) => check(`train.search.${name}[${index}]`, name, value));
  const given = new Set([...Object.keys(train.params), ...Object.keys(train.search ?? {})]);
  if (given.has('C') && given.has('l2') && train.params.C !== null)
    problems.push({
      path: 'train.params',
      message: `${trainer} takes l2 or C (l2 = 1 / (C * rows)), not both`,
    });
  return dedupe(problems);
}

/** An unknown name searched over ten values is one problem, not ten. */
function dedupe(problems: readonly LimitProblem[]): LimitProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path.replace(/\[\d+\]$/, '')}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
