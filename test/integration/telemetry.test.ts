import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { waitUntil } from '../../stack/processes.js';
import { freePort, startOtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { stackEnvironment } from '../support/platform.js';
import { workerMetricNames } from '../support/worker-metrics.js';
import { runMlops, spawnMlops, type SpawnedCommand } from '../support/processes.js';

/**
 * A pipeline started by `mlops run` and run by an `mlops worker` process, both with tracing on
 * (OTLP/HTTP JSON to a receiver in this test) and the worker's Prometheus endpoint on: one trace
 * from the CLI through the workflow to every activity, and the SDK's and the platform's metrics.
 */
describe('telemetry of a pipeline', () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'mlops-telemetry-'));
  const taskQueue = `test-telemetry-${randomUUID().slice(0, 8)}`;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let worker: SpawnedCommand | undefined;
  let metricsUrl = '';
  let run: { code: number | null; stdout: string; stderr: string };
  let failedRun: typeof run;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    metricsUrl = `http://127.0.0.1:${await freePort()}/metrics`;
    const env = {
      ...stackEnvironment(),
      MLOPS_CPU_TASK_QUEUE: taskQueue,
      MLOPS_GPUS: 'none',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    };
    worker = spawnMlops(['worker', '--pool', 'cpu'], {
      ...env,
      MLOPS_LOG_LEVEL: 'info',
      MLOPS_WORKER_METRICS_ADDRESS: new URL(metricsUrl).host,
    });
    await waitUntil(
      'the worker polls',
      async () => worker?.stderr().includes('worker polling') || undefined,
      {
        timeoutMs: 60_000,
        intervalMs: 100,
      },
    );
    const specFile = path.join(folder, 'penguins.yaml');
    writeFileSync(
      specFile,
      stringify({
        name: `penguins-telemetry-${randomUUID().slice(0, 8)}`,
        dataset: { uri: path.resolve('node_modules/vega-datasets/data/penguins.json') },
        target: 'Species',
        split: { strategy: 'random', testFraction: 0.25, seed: 42 },
        train: { trainer: 'logistic_regression', params: { l2: 0.001 } },
        evaluation: { primaryMetric: 'accuracy', gates: [{ metric: 'accuracy', min: 0.5 }] },
      }),
    );
    // A second run whose data breaks its validation: one failed stage, counted by its error type.
    const failingSpec = path.join(folder, 'too-few-rows.yaml');
    writeFileSync(
      failingSpec,
      stringify({
        name: `penguins-telemetry-failing-${randomUUID().slice(0, 8)}`,
        dataset: { uri: path.resolve('node_modules/vega-datasets/data/penguins.json') },
        target: 'Species',
        validation: { minRows: 100_000 },
        train: { trainer: 'logistic_regression', params: { l2: 0.001 } },
        evaluation: { primaryMetric: 'accuracy', gates: [] },
      }),
    );
    [run, failedRun] = await Promise.all([
      runMlops(['run', specFile, '--wait', '--json', '--no-cache'], env),
      runMlops(['run', failingSpec, '--wait', '--json', '--no-cache'], env),
    ]);
  }, 150_000);

  afterAll(async () => {
    if (worker?.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await receiver?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('sends one trace across the CLI, the workflow and its activities', async () => {
    expect(run.code, run.stderr).toBe(0);
    const workflowId = (JSON.parse(run.stdout) as { workflowId: string }).workflowId;
    // The worker exports in batches, every second; the workflow's own span once it has ended.
    const trace = await waitUntil(
      'the worker exports the workflow and its activities',
      async () => {
        const registered = receiver.spans.find((span) => span.name === 'RunActivity:registerStage');
        const spans = receiver.spans.filter((span) => span.traceId === registered?.traceId);
        return spans.some((span) => span.name === 'RunWorkflow:trainingPipelineWorkflow') ? spans : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    const start = trace.find((span) => span.name === 'StartWorkflow:trainingPipelineWorkflow');
    expect(start?.service, 'the CLI exports its span before it exits').toBe('mlops-run');
    const names = new Set(trace.map((span) => span.name));
    expect(names).toContain('RunWorkflow:trainingPipelineWorkflow');
    for (const stage of ['ingestStage', 'validateStage', 'trainStage', 'evaluateStage', 'registerStage'])
      expect([...names].filter((name) => name.endsWith(`:${stage}`)).sort()).toEqual([
        `RunActivity:${stage}`,
        `StartActivity:${stage}`,
      ]);
    expect(new Set(trace.map((span) => span.service))).toEqual(new Set(['mlops-run', 'mlops-worker']));
    // Parent links: the workflow under the CLI's span, each activity attempt under the workflow's
    // StartActivity span for it.
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    const parentOf = (span: ReceivedSpan | undefined) => byId.get(span?.parentSpanId ?? '');
    const workflowSpan = trace.find((span) => span.name === 'RunWorkflow:trainingPipelineWorkflow');
    expect(parentOf(workflowSpan)?.name).toBe('StartWorkflow:trainingPipelineWorkflow');
    expect(parentOf(trace.find((span) => span.name === 'RunActivity:trainStage'))?.name).toBe(
      'StartActivity:trainStage',
    );
    expect(workflowId).toMatch(/^pipeline\//);
  });

  it('writes the trace ids into the log lines of the activities', () => {
    const attempt = worker
      ?.stderr()
      .split('\n')
      .filter((line) => line.includes('activity attempt completed') && line.includes('trainStage'))
      .map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string })[0];
    const traceIds = new Set(receiver.spans.map((span) => span.traceId));
    expect(attempt?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIds.has(attempt?.trace_id ?? '')).toBe(true);
    expect(attempt?.span_id).toMatch(/^[0-9a-f]{16}$/);
  });

  it("serves the Temporal SDK's and the platform's metrics on the worker's /metrics", async () => {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(worker?.stderr()).toContain(`worker metrics (Prometheus) at ${metricsUrl}`);
    const text = await response.text();
    const names = new Set(
      text
        .split('\n')
        .filter((line) => line && !line.startsWith('#'))
        .map((line) => line.split(/[{ ]/)[0]),
    );
    for (const name of workerMetricNames) expect(names, name).toContain(name);
    const lines = text.split('\n').filter((line) => line.startsWith('mlops_stage_'));
    expect(text, lines.join('\n')).toMatch(
      /mlops_stage_duration_seconds_count\{[^}]*activityType="trainStage"[^}]*outcome="completed"[^}]*\} 1/,
    );
    expect(failedRun.code, failedRun.stderr).not.toBe(0);
    expect(text, lines.join('\n')).toMatch(
      /mlops_stage_failures_total\{[^}]*activityType="validateStage"[^}]*error_type="ValidationFailed"[^}]*\} 1/,
    );
  });
});
