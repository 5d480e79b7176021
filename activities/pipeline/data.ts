import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { DatasetVersionRef } from '../../contracts/pipeline.js';
import { errorTypes, InputError } from '../../contracts/errors.js';
import {
  deidentifyDataset,
  inferFormat,
  snapshotDataset,
  validateDataset,
  type ValidationReport,
} from '../../data/index.js';
import { addLineageEdge } from '../../db/queries/artifacts.js';
import { artifactKeys } from '../../storage/artifact-store.js';
import type { ActivityDependencies } from '../dependencies.js';
import { findCachedOutputs, stageCacheKey } from '../stage-cache.js';
import { recordCachedStage, recordStage } from '../stage-recorder.js';
import { storeDatasetVersion } from './dataset-versions.js';
import { fetchSource } from './sources.js';
import { withHeartbeat } from '../heartbeat.js';
import { storeJsonArtifact } from '../json-artifacts.js';
import type {
  DeidentifyInput,
  IngestInput,
  IngestOutput,
  ScratchHandle,
  ValidateInput,
  ValidateOutput,
} from '../../contracts/pipeline-stages.js';

const RAW_SNAPSHOT = 'raw.parquet';

/**
 * Ingest, validate and de-identify. Raw data stays in this worker's scratch space (reached through
 * its own task queue); only the de-identified snapshot is uploaded. The three stages share one
 * cache entry, recorded by de-identification: its key covers the source bytes, the query, the
 * PII rules and key, the expectations and the code version.
 */
export function createDataActivities(deps: ActivityDependencies) {
  return {
    async ingestStage(input: IngestInput): Promise<IngestOutput> {
      const scratch = deps.scratch;
      if (!scratch) throw new Error('ingest runs on the CPU pool, whose workers have a scratch space');
      if (input.pii.hash.length > 0 && !deps.piiHmacKey) {
        throw ApplicationFailure.create({
          ...errorTypes.invalidInput,
          message: `the spec hashes ${input.pii.hash.join(', ')} (pii.hash) but this worker has no MLOPS_PII_HMAC_KEY; set it on every CPU worker`,
        });
      }
      const directory = path.join(scratch.directory, runFolder());
      await rm(directory, { recursive: true, force: true });
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const stage = {
        pipelineRunId: input.pipelineRunId,
        stage: 'ingest',
        params: { uri: input.dataset.uri, format: input.dataset.format, query: input.dataset.query },
      };
      // Whatever fails, the fetched source and a partial snapshot (raw data) do not stay behind.
      const { result } = await discardingOnFailure(directory, () =>
        recordStage(deps, stage, () =>
          withHeartbeat(async () => {
            const source = await fetchSource(deps, input.dataset.uri, directory);
            const cacheKey = stageCacheKey({
              kind: 'data',
              codeVersion: deps.codeVersion,
              params: {
                dataset: input.dataset,
                pii: input.pii,
                key: keyId(deps.piiHmacKey),
                validation: input.validation,
                target: input.target,
              },
              inputs: [source.sha256],
            });
            if (!input.noCache) {
              const cached = await findCachedOutputs<{ dataset: DatasetVersionRef }>(
                deps,
                cacheKey,
                (outputs) => [outputs.dataset],
              );
              if (cached)
                return {
                  kind: 'cached' as const,
                  dataset: cached.outputs.dataset,
                  sourceSha256: source.sha256,
                };
            }
            const snapshot = await snapshotDataset({
              inputPath: source.path,
              label: input.dataset.uri,
              format: input.dataset.format ?? inferFormat(input.dataset.uri),
              query: input.dataset.query,
              outputPath: path.join(directory, RAW_SNAPSHOT),
              redactedColumns: piiColumns(input.pii),
            });
            return {
              kind: 'staged' as const,
              rows: snapshot.rows,
              columns: snapshot.columns.map((column) => column.name),
              cacheKey,
              sourceSha256: source.sha256,
            };
          }),
        ),
      );
      if (result.kind === 'cached') {
        await rm(directory, { recursive: true, force: true });
        for (const cachedStage of ['ingest', 'validate', 'deidentify']) {
          await recordCachedStage(
            deps,
            { pipelineRunId: input.pipelineRunId, stage: cachedStage },
            { dataset: result.dataset },
          );
        }
        return { kind: 'cached', dataset: result.dataset };
      }
      const handle: ScratchHandle = {
        taskQueue: scratch.taskQueue,
        directory,
        workerIdentity: deps.workerIdentity,
      };
      return {
        kind: 'staged',
        scratch: handle,
        rows: result.rows,
        cacheKey: result.cacheKey,
        sourceSha256: result.sourceSha256,
      };
    },

    async validateStage(input: ValidateInput): Promise<ValidateOutput> {
      const snapshotPath = stagedSnapshot(input.scratch);
      const stage = {
        pipelineRunId: input.pipelineRunId,
        stage: 'validate',
        params: { ...input.validation, target: input.target },
      };
      // A failed validation ends the run's use of the staged raw data: it goes now, not at worker exit.
      const { result } = await discardingOnFailure(
        input.scratch.directory,
        () =>
          recordStage(deps, stage, () =>
            withHeartbeat(async () => {
              const report = redactPii(
                await validateDataset({
                  snapshotPath,
                  target: input.target,
                  expectations: input.validation,
                }),
                piiColumns(input.pii),
              );
              const reportRef = await storeJsonArtifact(
                deps,
                artifactKeys.validationReport(runFolder()),
                'validation_report',
                JSON.stringify(report, null, 2),
              );
              if (!report.passed) {
                throw ApplicationFailure.create({
                  ...errorTypes.validationFailed,
                  message: describeViolations(report, reportRef.uri),
                });
              }
              return { report: reportRef, rows: report.rows };
            }),
          ),
        endsStaging,
      );
      return result;
    },

    async deidentifyStage(input: DeidentifyInput): Promise<DatasetVersionRef> {
      const snapshotPath = stagedSnapshot(input.scratch);
      const stage = {
        pipelineRunId: input.pipelineRunId,
        stage: 'deidentify',
        params: { drop: input.pii.drop, hash: input.pii.hash, key: keyId(deps.piiHmacKey) },
        cacheKey: input.cacheKey,
      };
      const { result, stageRun } = await discardingOnFailure(
        input.scratch.directory,
        () =>
          recordStage(deps, stage, () =>
            withHeartbeat(async () => {
              const deidentifiedPath = path.join(input.scratch.directory, 'deidentified.parquet');
              const finalPath = path.join(input.scratch.directory, 'snapshot.parquet');
              await deidentifyDataset({
                inputPath: snapshotPath,
                outputPath: deidentifiedPath,
                drop: input.pii.drop,
                hash: input.pii.hash,
                hashed: input.pii.hashed,
                key: Buffer.from(deps.piiHmacKey ?? ''),
              });
              // Re-read through the snapshot writer: the stored bytes and profile are those of the de-identified data.
              const snapshot = await snapshotDataset({
                inputPath: deidentifiedPath,
                format: 'parquet',
                outputPath: finalPath,
                redactedColumns: [...input.pii.hash, ...(input.pii.hashed ?? [])],
              });
              const dataset = await storeDatasetVersion(deps, {
                name: input.pipelineName,
                parquetPath: finalPath,
                snapshot,
                source: {
                  kind: 'ingest',
                  uri: input.source.uri,
                  sha256: input.source.sha256,
                  query: input.source.query ?? null,
                  pii: { ...input.pii, key: keyId(deps.piiHmacKey) },
                },
                signal: Context.current().cancellationSignal,
              });
              return { dataset };
            }),
          ),
        endsStaging,
      );
      await addLineageEdge(
        deps.db,
        { kind: 'stage_run', id: stageRun.id },
        { kind: 'dataset_version', id: result.dataset.datasetVersionId },
        'produced',
      );
      await rm(input.scratch.directory, { recursive: true, force: true });
      return result.dataset;
    },
  };
}

/**
 * Runs `work`; when it fails and `final(error)` says nothing will read the staged data again,
 * removes `directory` (raw data must not wait on disk for the worker to exit).
 */
async function discardingOnFailure<T>(
  directory: string,
  work: () => Promise<T>,
  final: (error: unknown) => boolean = () => true,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (final(error)) await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

/** Bad data, failed expectations, cancellation: a retry would not use the staged data. A retryable failure keeps it. */
function endsStaging(error: unknown): boolean {
  return (
    error instanceof InputError ||
    error instanceof CancelledFailure ||
    (error instanceof ApplicationFailure && error.nonRetryable === true)
  );
}

/** This run's folder in the scratch space: one per workflow execution. */
function runFolder(): string {
  const execution = Context.current().info.workflowExecution;
  return `${execution?.workflowId ?? 'standalone'}-${execution?.runId ?? ''}`
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 200);
}

function stagedSnapshot(scratch: ScratchHandle): string {
  const file = path.join(scratch.directory, RAW_SNAPSHOT);
  if (!existsSync(file)) {
    throw ApplicationFailure.create({
      ...errorTypes.scratchLost,
      message: `the staged data is gone from ${scratch.workerIdentity}; staging it again`,
    });
  }
  return file;
}

/** Identifies the HMAC key (so runs hashed with different keys never share a cache entry) without revealing it. */
function keyId(key: string | undefined): string | null {
  return key ? createHash('sha256').update(`mlops-key-id:${key}`).digest('hex').slice(0, 16) : null;
}

/** Columns whose values no report or profile shows: dropped, hashed, or hashed already. */
function piiColumns(pii: IngestInput['pii']): string[] {
  return [...pii.drop, ...pii.hash, ...(pii.hashed ?? [])];
}

function redactPii(report: ValidationReport, piiColumns: readonly string[]): ValidationReport {
  const pii = new Set(piiColumns);
  return {
    ...report,
    violations: report.violations.map((violation) =>
      violation.column && pii.has(violation.column)
        ? { ...violation, examples: ['(PII: values not shown)'] }
        : violation,
    ),
  };
}

/**
 * The run's error (its history, pipeline_runs, logs) quotes at most this many examples, each cut
 * short: enough to recognise a problem, not enough to carry a line of a file that is no dataset.
 * The report in S3 has them all.
 */
const MESSAGE_EXAMPLES = 3;
const MESSAGE_EXAMPLE_CHARACTERS = 24;

function quotedExample(example: string): string {
  const characters = [...example];
  return JSON.stringify(
    characters.length > MESSAGE_EXAMPLE_CHARACTERS
      ? `${characters.slice(0, MESSAGE_EXAMPLE_CHARACTERS).join('')}…`
      : example,
  );
}

function describeViolations(report: ValidationReport, reportUri: string): string {
  const lines = report.violations.map((violation) => {
    const examples = violation.examples.length
      ? `; examples: ${violation.examples.slice(0, MESSAGE_EXAMPLES).map(quotedExample).join(', ')}`
      : '';
    return `  - ${violation.column ? `${JSON.stringify(violation.column)}: ` : ''}${violation.message}${examples}`;
  });
  return `the dataset fails ${report.violations.length} expectation(s) of the spec (${report.rows} rows):\n${lines.join('\n')}\nfull report: ${reportUri}`;
}
