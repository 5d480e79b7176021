/**
 * What a command trainer reports on stdout (docs/trainers.md): one JSON object per line, with
 * `progress` (0 to 1), `metrics` (numbers) and `checkpoint` (a file name in MLOPS_CHECKPOINT_DIR),
 * all optional. Any line that is not a JSON object is log output, not a report.
 */
export interface TrainerReport {
  readonly progress?: number;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly checkpoint?: string;
}

export type TrainerLine =
  | { readonly kind: 'report'; readonly report: TrainerReport }
  | { readonly kind: 'log' }
  | { readonly kind: 'invalid'; readonly problem: string };

const REPORT_FIELDS = new Set(['progress', 'metrics', 'checkpoint']);

export function parseTrainerLine(line: string): TrainerLine {
  const text = line.trim();
  if (!text.startsWith('{')) return { kind: 'log' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Python's repr of a dict ({'a': 1}) and other brace-led text are log output, not reports.
    return { kind: 'log' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { kind: 'log' };
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(record).filter((key) => !REPORT_FIELDS.has(key));
  if (unknown.length > 0)
    problems.push(
      `unknown field(s) ${unknown.map((key) => JSON.stringify(key)).join(', ')} (a report has progress, metrics, checkpoint)`,
    );
  const { progress, metrics, checkpoint } = record;
  if (progress !== undefined && !(typeof progress === 'number' && progress >= 0 && progress <= 1))
    problems.push(`progress must be a number from 0 to 1, not ${JSON.stringify(progress)}`);
  if (metrics !== undefined) {
    const valid =
      metrics !== null &&
      typeof metrics === 'object' &&
      !Array.isArray(metrics) &&
      Object.values(metrics).every((metric) => typeof metric === 'number' && Number.isFinite(metric));
    if (!valid) problems.push(`metrics must be an object of finite numbers, not ${JSON.stringify(metrics)}`);
  }
  if (checkpoint !== undefined && !isPlainFileName(checkpoint))
    problems.push(
      `checkpoint must be the name of a file in MLOPS_CHECKPOINT_DIR (no folders), not ${JSON.stringify(checkpoint)}`,
    );
  if (problems.length > 0) return { kind: 'invalid', problem: problems.join('; ') };
  return { kind: 'report', report: record as TrainerReport };
}

function isPlainFileName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= 255 &&
    value !== '.' &&
    value !== '..' &&
    ![...value].some((character) => character === '/' || character === '\\' || character.charCodeAt(0) < 32)
  );
}
