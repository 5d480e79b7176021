import { upsertLabelFeedback, type LabelFeedbackItem } from '../../db/queries/serving.js';
import type { RouteHandler } from '../context.js';
import { HttpError, invalidInput, MAX_PROBLEMS, type InputProblem } from '../http-errors.js';
import { readJsonBody } from '../request-body.js';
import type { ServedModel } from '../routing-table.js';
import { servedModelOrNotFound } from './models.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ITEM_FIELDS: ReadonlySet<string> = new Set(['predictionId', 'label']);

/**
 * `POST /v1/models/<name>/feedback` with `{"feedback": [{"predictionId": "...", "label": ...}]}`:
 * ground truth that arrives later, keyed by the id every prediction returned. Malformed items
 * refuse the whole request (400, nothing stored); well-formed items whose prediction this model
 * never made are reported one by one as `unknown_prediction` while the others are stored.
 * Classification labels are stored as text, as predictions are, so the two compare directly.
 */
export const feedbackRoute: RouteHandler = async (context, request, labels, modelName) => {
  context.auth.authorize(request.headers.authorization, 'feedback');
  const served = servedModelOrNotFound(context, modelName);
  labels.model = served.name;
  const body = await readJsonBody(request, context.settings.maxBodyBytes);
  const items = parseFeedback(body, served, context.settings.maxInstances);
  // Predictions answered a moment ago may still be queued: write them first so they are known
  // (waiting no longer than a predict request would; what is still queued then is reported unknown).
  await waitAtMost(context.predictionLog.flushed(), context.settings.predictionLog.maxWaitMs);
  const latest = new Map(items.map((item) => [item.predictionId, item]));
  const stored = await upsertLabelFeedback(context.db, served.name, [...latest.values()]);
  const results = items.map((item) => ({
    predictionId: item.predictionId,
    status: stored.has(item.predictionId) ? ('stored' as const) : ('unknown_prediction' as const),
  }));
  return {
    status: 200,
    body: { stored: results.filter((result) => result.status === 'stored').length, results },
  };
};

function parseFeedback(body: unknown, model: ServedModel, maxItems: number): LabelFeedbackItem[] {
  const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : undefined;
  const extra = fields ? Object.keys(fields).filter((key) => key !== 'feedback') : [];
  const feedback = (fields as { feedback?: unknown } | undefined)?.feedback;
  if (!fields || extra.length > 0 || !Array.isArray(feedback) || feedback.length === 0) {
    throw new HttpError(
      400,
      'invalid_request',
      `the body must be {"feedback": [{"predictionId": "<id from a prediction>", "label": <true label>}, ...]}${extra.length > 0 ? `; unknown fields: ${extra.join(', ')}` : ''}`,
    );
  }
  if (feedback.length > maxItems) {
    throw new HttpError(
      413,
      'too_many_instances',
      `"feedback" has ${feedback.length} items, more than ${maxItems} (MLOPS_MAX_INSTANCES): split the request`,
    );
  }
  const classes = knownClasses(model);
  const problems: InputProblem[] = [];
  const items: LabelFeedbackItem[] = [];
  feedback.forEach((item: unknown, index) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.push({ index, problem: 'must be an object {"predictionId": ..., "label": ...}' });
      return;
    }
    const record = item as Record<string, unknown>;
    for (const key of Object.keys(record))
      if (!ITEM_FIELDS.has(key))
        problems.push({ index, field: key, problem: 'is not a field of a feedback item' });
    const { predictionId, label } = record;
    if (typeof predictionId !== 'string' || !UUID.test(predictionId)) {
      problems.push({ index, field: 'predictionId', problem: 'must be the UUID a prediction returned' });
      return;
    }
    const checked = checkLabel(label, classes);
    if (typeof checked === 'object') problems.push({ index, field: 'label', problem: checked.problem });
    else items.push({ predictionId: predictionId.toLowerCase(), label: checked });
  });
  if (problems.length > 0) throw invalidInput(problems.slice(0, MAX_PROBLEMS), 'item');
  return items;
}

/** The labels a model's served versions know; null for regression. */
function knownClasses(model: ServedModel): ReadonlySet<string> | null {
  const versions = [model.champion, model.challenger].filter((version) => version !== null);
  if (versions.length === 0 || versions.every((version) => version.classes === null)) return null;
  return new Set(versions.flatMap((version) => version.classes ?? []));
}

function checkLabel(
  label: unknown,
  classes: ReadonlySet<string> | null,
): string | number | { problem: string } {
  if (classes === null) {
    return typeof label === 'number' && Number.isFinite(label)
      ? label
      : { problem: 'must be a finite number (this model predicts a number)' };
  }
  const text =
    typeof label === 'string'
      ? label
      : (typeof label === 'number' && Number.isFinite(label)) || typeof label === 'boolean'
        ? String(label)
        : undefined;
  if (text === undefined) return { problem: 'must be a class label (a string, number or boolean)' };
  if (!classes.has(text)) {
    const shown = [...classes].slice(0, 10).map((name) => JSON.stringify(name));
    return { problem: `${JSON.stringify(text)} is not a class of this model (classes: ${shown.join(', ')})` };
  }
  return text;
}

function waitAtMost(promise: Promise<void>, milliseconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, milliseconds)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
