import { readFile } from 'node:fs/promises';
import type { Config } from '../../config/index.js';
import { describeProblem, type InputProblem } from '../../serving/index.js';
import { envFile, readEnvFile } from '../../stack/env-file.js';
import { renderTable } from '../formatting.js';
import { exitCodes, printJson, UsageError } from '../shared.js';

interface PredictResponse {
  readonly predictions: (string | number)[];
  readonly probabilities?: Record<string, number>[];
  readonly predictionIds: string[];
  readonly model: string;
  readonly version: number;
}

interface ErrorResponse {
  readonly error?: { code?: string; message?: string; problems?: InputProblem[] };
}

/**
 * `mlops predict <name> --input <file.jsonl>`: one instance per line, sent to the prediction server
 * in requests of up to `--batch` instances; prints each line's prediction (and, with `--json`,
 * probabilities, version and prediction id). Problems the server finds are reported by line.
 */
export async function predictCommand(
  config: Config,
  modelName: string,
  options: { input: string; batch: number; json?: boolean },
): Promise<number> {
  const endpoint = await servingEndpoint(config);
  const lines = await readInstances(options.input);
  const results: {
    line: number;
    prediction: string | number;
    probabilities: Record<string, number> | null;
    version: number;
    predictionId: string;
  }[] = [];
  for (let start = 0; start < lines.length; start += options.batch) {
    const batch = lines.slice(start, start + options.batch);
    const response = await fetch(`${endpoint.url}/v1/models/${encodeURIComponent(modelName)}:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${endpoint.token}` },
      body: JSON.stringify({ instances: batch.map((entry) => entry.instance) }),
    }).catch((error: unknown) => {
      throw new Error(
        `the prediction server at ${endpoint.url} did not answer (${(error as Error).message}); is it running (\`mlops up\` or \`mlops serve\`)?`,
      );
    });
    const body = (await response.json().catch(() => ({}))) as PredictResponse & ErrorResponse;
    if (!response.ok) {
      const problems = (body.error?.problems ?? []).map((problem) =>
        problem.index === undefined
          ? describeProblem(problem)
          : `line ${batch[problem.index]?.line}: ${describeProblem({ ...problem, index: undefined })}`,
      );
      process.stderr.write(
        `mlops: the server refused the request (${response.status} ${body.error?.code ?? ''}): ${problems.length > 0 ? `\n  ${problems.join('\n  ')}` : (body.error?.message ?? '')}\n`,
      );
      return exitCodes.failed;
    }
    body.predictions.forEach((prediction, index) =>
      results.push({
        line: batch[index].line,
        prediction,
        probabilities: body.probabilities?.[index] ?? null,
        version: body.version,
        predictionId: body.predictionIds[index],
      }),
    );
  }
  if (options.json) printJson({ model: modelName, predictions: results });
  else
    process.stdout.write(
      `${renderTable(
        ['LINE', 'PREDICTION', 'PROBABILITY', 'VERSION', 'PREDICTION ID'],
        results.map((result) => [
          String(result.line),
          String(result.prediction),
          result.probabilities && typeof result.prediction === 'string'
            ? (result.probabilities[result.prediction] ?? 0).toFixed(4)
            : '-',
          `v${result.version}`,
          result.predictionId,
        ]),
      ).join('\n')}\n`,
    );
  return exitCodes.ok;
}

/** MLOPS_SERVING_URL and MLOPS_API_TOKEN from the environment, else from the running stack's `.mlops/env`. */
async function servingEndpoint(config: Config): Promise<{ url: string; token: string }> {
  const fromFile = await readEnvFile(config.home);
  const url = config.serving.url ?? fromFile.MLOPS_SERVING_URL?.replace(/\/+$/, '');
  const token = config.serving.apiToken ?? fromFile.MLOPS_API_TOKEN;
  if (!url || !token) {
    throw new UsageError(
      `no prediction server known: set MLOPS_SERVING_URL and MLOPS_API_TOKEN, or start one with \`mlops up\` (it writes both to ${envFile(config.home)})`,
    );
  }
  return { url, token };
}

/** Non-empty lines of a JSON Lines file, each a JSON object; a malformed line is a usage error naming it. */
async function readInstances(file: string): Promise<{ line: number; instance: unknown }[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(
      `cannot read --input ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
    );
  });
  const instances: { line: number; instance: unknown }[] = [];
  text.split('\n').forEach((content, index) => {
    if (content.trim() === '') return;
    try {
      instances.push({ line: index + 1, instance: JSON.parse(content) });
    } catch (error) {
      throw new UsageError(`${file} line ${index + 1} is not JSON: ${(error as Error).message}`);
    }
  });
  if (instances.length === 0)
    throw new UsageError(`${file} has no instances: write one JSON object per line`);
  return instances;
}
