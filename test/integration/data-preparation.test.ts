import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, type PlatformClient } from '../../client/connect.js';
import { platformDataConverter } from '../../codec/data-converter.js';
import { errorTypes } from '../../contracts/errors.js';
import type { DatasetVersionRef } from '../../contracts/pipeline.js';
import { parseSpec } from '../../spec/parse.js';
import { bundlerOptions } from '../../workers/workflow-source.js';
import { testConfig, testConnections } from '../support/platform.js';

/**
 * Raw data lives only on the worker that staged it. When validation finds it gone (ScratchLost),
 * or the worker holding it stops heartbeating (killed mid-stage), the workflow stages it again, at
 * most three times; a passing failure is retried on the same worker, bad input ends the run. The
 * stages are mocked here: the branching of the workflow is what is under test.
 */
describe('staging the data again when the worker holding it lost it', () => {
  const taskQueue = `test-staging-${randomUUID().slice(0, 8)}`;
  const spec = parseSpec({
    name: 'restaging',
    dataset: { uri: './data.csv' },
    target: 'label',
    train: { trainer: 'logistic_regression' },
  });
  const dataset: DatasetVersionRef = {
    uri: 's3://mlops/datasets/restaging/x.parquet',
    sha256: 'a'.repeat(64),
    bytes: 10,
    datasetVersionId: 7,
    name: 'restaging',
    rows: 342,
  };
  let calls: string[] = [];
  /** What validateStage does on its n-th call (1-based): throw, hang without a heartbeat, or pass. */
  let validateOutcome: (call: number) => Error | 'hang' | undefined = () => undefined;
  let client: PlatformClient;
  let connection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    const connections = testConnections();
    const config = testConfig();
    client = await connectClient(config, connections);
    connection = await NativeConnection.connect({ address: connections.temporal.address });
    worker = await Worker.create({
      connection,
      // The client encrypts what it sends: the worker decrypts with the same keys.
      dataConverter: platformDataConverter(config, connections),
      namespace: connections.temporal.namespace,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../support/workflows/prepare-dataset.ts', import.meta.url)),
      bundlerOptions,
      activities: {
        ingestStage: async () => {
          calls.push('ingest');
          const attempt = calls.filter((call) => call === 'ingest').length;
          return {
            kind: 'staged',
            scratch: { taskQueue, directory: `/scratch/${attempt}`, workerIdentity: `worker-${attempt}` },
            rows: 342,
            cacheKey: 'key',
            sourceSha256: 'b'.repeat(64),
          };
        },
        validateStage: async () => {
          calls.push('validate');
          const failure = validateOutcome(calls.filter((call) => call === 'validate').length);
          // A worker killed mid-stage: no heartbeat, no answer (until the test's worker stops).
          if (failure === 'hang')
            await Promise.race([
              new Promise((resolve) => setTimeout(resolve, 40_000)),
              Context.current().cancelled.catch(() => undefined),
            ]);
          else if (failure) throw failure;
          return {
            report: { uri: 's3://mlops/validation/r.json', sha256: 'c'.repeat(64), bytes: 5 },
            rows: 342,
          };
        },
        deidentifyStage: async () => {
          calls.push('deidentify');
          return dataset;
        },
      },
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await client?.close();
  });

  const run = async () => {
    calls = [];
    return client.temporal.workflow.execute('prepareDatasetWorkflow', {
      taskQueue,
      workflowId: `restaging-${randomUUID()}`,
      args: [{ spec, taskQueue }],
    });
  };
  const scratchLost = () =>
    ApplicationFailure.create({ ...errorTypes.scratchLost, message: 'the staged data is gone' });

  it('stages again after the staged data is lost, and goes on from there', { timeout: 60_000 }, async () => {
    validateOutcome = (call) => (call <= 2 ? scratchLost() : undefined);
    expect(await run()).toEqual(dataset);
    expect(calls).toEqual(['ingest', 'validate', 'ingest', 'validate', 'ingest', 'validate', 'deidentify']);
  });

  it('retries a passing failure on the same worker, without staging again', { timeout: 60_000 }, async () => {
    validateOutcome = (call) => (call === 1 ? new Error('connection reset') : undefined);
    expect(await run()).toEqual(dataset);
    expect(calls).toEqual(['ingest', 'validate', 'validate', 'deidentify']);
  });

  it(
    'stages again when the worker holding the data stops heartbeating mid-stage, instead of retrying there',
    { timeout: 90_000 },
    async () => {
      validateOutcome = (call) => (call === 1 ? 'hang' : undefined);
      expect(await run()).toEqual(dataset);
      // Staged again after the 30 s heartbeat timeout. A retry on the same queue (the old retry
      // policy) would have been ingest, validate, validate: here the queue still has a poller,
      // where a killed worker's has none and the retry waits out a 5-minute schedule-to-start.
      expect(calls).toEqual(['ingest', 'validate', 'ingest', 'validate', 'deidentify']);
    },
  );

  it(
    'gives up after three stagings, and never re-stages for any other failure',
    { timeout: 60_000 },
    async () => {
      validateOutcome = () => scratchLost();
      const lost = await run().catch((error: unknown) => error);
      expect(lost).toBeInstanceOf(WorkflowFailedError);
      expect(calls).toEqual(['ingest', 'validate', 'ingest', 'validate', 'ingest', 'validate']);

      validateOutcome = () =>
        ApplicationFailure.create({ ...errorTypes.validationFailed, message: 'bad rows' });
      const failed = await run().catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(WorkflowFailedError);
      expect(calls).toEqual(['ingest', 'validate']);
    },
  );
});
