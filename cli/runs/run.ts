import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFile } from 'node:fs/promises';
import { workflowUiUrl } from '../../client/connect.js';
import { startPipeline } from '../../client/pipeline.js';
import type { Config } from '../../config/index.js';
import type { PipelineResult } from '../../contracts/pipeline.js';
import { parseSpec, readSpecDocument, SpecError } from '../../spec/parse.js';
import type { PipelineSpec } from '../../spec/types.js';
import { onInterrupt, type InterruptChoice } from './interrupt.js';
import { stageList, watchProgress } from './progress-view.js';
import { openSession, type Session } from '../session.js';
import { withTrainerCode } from '../trainer-code.js';
import { cliLogger, exitCodes, printJson } from '../shared.js';

export interface RunOptions {
  readonly wait?: boolean;
  readonly json?: boolean;
  /** commander's `--no-cache` */
  readonly cache?: boolean;
  /** What Ctrl-C does while waiting; unset: ask in a terminal, else detach. */
  readonly onInterrupt?: InterruptChoice;
}

/** The exit code of a command interrupted by Ctrl-C that left its run going (128 + SIGINT). */
const DETACHED_EXIT_CODE = 130;
const FINAL_PROGRESS_TIMEOUT_MS = 5000;

/**
 * `mlops run <spec>`: validates the spec (every problem listed, nothing started, exit 2), starts
 * the training pipeline, and with --wait shows progress and ends with the result: exit 0
 * succeeded, 3 rejected, 1 failed.
 */
export async function runCommand(config: Config, specPath: string, options: RunOptions): Promise<number> {
  const spec = await readSpec(specPath, config);
  if (typeof spec === 'number') return spec;
  const session = await openSession(config, cliLogger(config, 'run'), { workers: true });
  try {
    const packaged = await withTrainerCode(session, spec, specPath);
    if (typeof packaged === 'number') return packaged;
    return await startAndReport(config, session, packaged, options);
  } finally {
    await session.close();
  }
}

/**
 * Starts the pipeline for a ready spec and, with --wait (or when the workers or stack are this
 * command's own, which go away with it), shows its progress and ends with the result's exit code:
 * 0 succeeded, 3 rejected, 1 failed. Shared by `mlops run` and `mlops models import`.
 */
export async function startAndReport(
  config: Config,
  session: Session,
  spec: PipelineSpec,
  options: RunOptions,
): Promise<number> {
  const run = await startPipeline(session.client.temporal, spec, {
    taskQueues: config.taskQueues,
    noCache: options.cache === false,
    trigger: 'cli',
  });
  const ui = workflowUiUrl(session.client.connections, run.workflowId, run.runId);
  const wait = options.wait || session.pools !== undefined || session.stack.owned;
  if (!wait) {
    if (options.json)
      printJson({ workflowId: run.workflowId, runId: run.runId, status: 'running', ui: ui ?? null });
    else process.stdout.write(`started ${run.workflowId} (run ${run.runId})${ui ? `\n${ui}` : ''}\n`);
    return exitCodes.ok;
  }
  if (!options.json) process.stderr.write(`started ${run.workflowId}${ui ? `  ${ui}` : ''}\n`);
  // Every call made while following the run (the result's long poll, the view's queries) carries
  // this signal: a detached command aborts them, since one left behind would fire on a closed
  // connection.
  const waiting = new AbortController();
  // The SDK adds an abort listener per call made under a signal and never removes it: the result's
  // long polls (one every few seconds to a minute) add them without bound, so that signal takes any
  // number, and the progress view makes each of its calls under a child signal dropped with it.
  const polling = AbortSignal.any([waiting.signal]);
  setMaxListeners(0, polling);
  let view: { stop(): void } | undefined;
  const interrupt = onInterrupt(
    run,
    { choice: options.onInterrupt, ownWorkers: session.pools !== undefined || session.stack.owned },
    () => view?.stop(),
  );
  const result = await Promise.race([
    session.client.temporal.withAbortSignal(polling, () => {
      view = options.json ? undefined : watchProgress(run, waiting.signal);
      return run.result();
    }),
    interrupt.detached.then(() => undefined),
  ]).finally(() => {
    view?.stop();
    interrupt.dispose();
  });
  if (!result) waiting.abort();
  if (!result) {
    if (options.json)
      printJson({
        workflowId: run.workflowId,
        runId: run.runId,
        status: 'running',
        detached: true,
        ui: ui ?? null,
      });
    return DETACHED_EXIT_CODE;
  }
  if (options.json) printJson({ ...result, ui: ui ?? null });
  else {
    // Every stage's final state, not the last live frame (read once more from the ended run).
    const final = await Promise.race([
      run.progress().catch(() => undefined),
      sleep(FINAL_PROGRESS_TIMEOUT_MS, undefined, { ref: false }),
    ]);
    if (final) process.stderr.write(`${stageList(final).join('\n')}\n`);
    printResult(result, ui);
  }
  return result.status === 'succeeded'
    ? exitCodes.ok
    : result.status === 'rejected'
      ? exitCodes.rejected
      : exitCodes.failed;
}

/**
 * Reads and validates a spec file (`adjust` may change its document first); exit 2 with every
 * problem listed when it cannot run.
 */
export async function readSpec(
  specPath: string,
  config: Config,
  adjust: (document: Record<string, unknown>) => unknown = (document) => document,
): Promise<PipelineSpec | number> {
  let text: string;
  try {
    text = await readFile(specPath, 'utf8');
  } catch {
    process.stderr.write(`mlops: cannot read the spec file ${specPath}\n`);
    return exitCodes.usage;
  }
  try {
    const document = readSpecDocument(text, specPath);
    const spec = parseSpec(
      document !== null && typeof document === 'object' && !Array.isArray(document)
        ? adjust(document as Record<string, unknown>)
        : document,
      specPath,
    );
    if (spec.pii.hash.length > 0 && !config.piiHmacKey) {
      process.stderr.write(
        `mlops: ${specPath} hashes ${spec.pii.hash.map((column) => JSON.stringify(column)).join(', ')} (pii.hash), which needs a secret key: ` +
          'set MLOPS_PII_HMAC_KEY (for example `export MLOPS_PII_HMAC_KEY=$(openssl rand -hex 32)`) here and on every worker. Nothing was started.\n',
      );
      return exitCodes.usage;
    }
    return spec;
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    process.stderr.write(`mlops: ${error.message}\nNothing was started.\n`);
    return exitCodes.usage;
  }
}

function printResult(result: PipelineResult, ui: string | undefined): void {
  const lines: string[] = [];
  if (result.status === 'failed') {
    lines.push(
      `${result.workflowId}: FAILED (${result.error?.type})`,
      `  ${result.error?.message.replace(/\n/g, '\n  ')}`,
    );
  } else {
    const model = result.model ? `${result.model.name} v${result.model.version}` : '';
    lines.push(
      `${result.workflowId}: ${result.status.toUpperCase()} ${model}${result.promoted ? ' (champion)' : ''}`,
    );
    const metrics = Object.entries(result.metrics).filter(([, value]) => value !== null);
    lines.push(
      `  metrics   ${metrics.map(([name, value]) => `${name} ${Number(value).toFixed(4)}`).join('  ')}`,
    );
    for (const gate of result.gates) {
      const value = gate.value === null ? 'n/a' : gate.value.toFixed(4);
      const bound = `${gate.bound === 'min' ? '>=' : '<='} ${gate.threshold ?? 'n/a'}`;
      lines.push(
        `  gate      ${gate.passed ? 'pass' : 'FAIL'} ${gate.name} = ${value} (${bound}${gate.note ? `, ${gate.note}` : ''})`,
      );
    }
    if (result.promotion) lines.push(`  serving   ${result.promotion.reason}`);
    if (result.cacheHits.length) lines.push(`  cached    ${result.cacheHits.join(', ')}`);
    // The report lives in S3; what a person can open is the local copy this command saves.
    if (result.reportUri && result.model)
      lines.push(`  report    mlops models report ${result.model.name}@${result.model.version} --open`);
  }
  if (ui) lines.push(`  inspect   ${ui}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
