import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformDataConverter } from '../../codec/data-converter.js';
import { ENCRYPTED_ENCODING, METADATA_KEY_ID_KEY } from '../../codec/encryption-codec.js';
import {
  smokePipelineWorkflowType,
  smokeWorkflowId,
  type SmokePipelineInput,
  type SmokePipelineResult,
} from '../../contracts/smoke.js';
import { exampleSpec, runPipeline } from '../support/pipeline.js';
import { connectClient } from '../../client/connect.js';
import { payloadsOf } from '../support/histories.js';
import { startTestPlatform, testConfig, testConnections, type TestPlatform } from '../support/platform.js';

type History = proto.temporal.api.history.v1.IHistory;

const metadataText = (payload: Payload, key: string) => Buffer.from(payload.metadata?.[key] ?? []).toString();

/** Keys given explicitly (the stack's key file left out: one of the two variables at a time). */
const keysEnv = (keys: string) => ({ MLOPS_PAYLOAD_KEYS: keys, MLOPS_PAYLOAD_KEYS_FILE: '' });

describe('payload encryption', () => {
  let platform: TestPlatform;
  let connection: Connection;
  /** Sees what Temporal stores: no codec. */
  let rawClient: Client;

  beforeAll(async () => {
    platform = await startTestPlatform({ pools: ['cpu'] });
    connection = await Connection.connect({ address: testConnections().temporal.address });
    rawClient = new Client({ connection, namespace: testConnections().temporal.namespace });
  });

  afterAll(async () => {
    await platform?.stop();
    await connection?.close();
  });

  const rawHistory = async (workflowId: string) => {
    const history = await rawClient.workflow.getHandle(workflowId).fetchHistory();
    return { history, json: historyToJSON(history) };
  };

  /** Nothing but encrypted payloads, and none of `secrets` anywhere in the stored history. */
  const expectSealed = (history: History, json: string, secrets: readonly string[]) => {
    for (const secret of secrets)
      expect(json, `history shows ${JSON.stringify(secret)}`).not.toContain(secret);
    const payloads = payloadsOf(history.events);
    expect(payloads.length).toBeGreaterThan(5);
    for (const payload of payloads) expect(metadataText(payload, 'encoding')).toBe(ENCRYPTED_ENCODING);
  };

  it('keeps the spec, dataset path, column names and metrics of a run out of its event history', async () => {
    const spec = exampleSpec('penguins.yaml', {
      train: { trainer: 'logistic_regression', params: { l2: 0.001 } },
      deploy: { promote: false },
    });
    const result = await runPipeline(platform, spec);
    expect(result.status).toBe('succeeded');
    const metricNames = Object.keys(result.metrics).filter((name) => name.length >= 6);
    expect(metricNames).toContain('accuracy');

    const { history, json } = await rawHistory(result.workflowId);
    expectSealed(history, json, [
      spec.dataset.uri,
      'penguins.json',
      'vega-datasets',
      'Flipper Length (mm)',
      'Body Mass (g)',
      'Beak Length (mm)',
      '"Species" is not null',
      'demographic_parity_difference',
      ...metricNames,
    ]);
    // The same payloads hold all of it, readable with the keys: the search above looked where it is.
    const [input] = await platformDataConverter(platform.config, testConnections()).payloadCodecs![0].decode(
      history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads! as Payload[],
    );
    expect(JSON.stringify(defaultPayloadConverter.fromPayload(input))).toContain('penguins.json');
  });

  it('encrypts the error message of a failed run', async () => {
    const spec = exampleSpec('penguins.yaml', { target: 'Tail Length (mm)', deploy: { promote: false } });
    const result = await runPipeline(platform, spec);
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/target column "Tail Length \(mm\)" does not exist/);

    const { history, json } = await rawHistory(result.workflowId);
    expect(json).toContain('Encoded failure');
    expectSealed(history, json, [
      'Tail Length (mm)',
      'does not exist',
      'Flipper Length (mm)',
      result.error!.message,
    ]);
  });

  it(
    'finishes a run started under key A after a restart makes key B the default',
    { timeout: 120_000 },
    async () => {
      const keyA = `A:${randomBytes(32).toString('base64')}`;
      const keyB = `B:${randomBytes(32).toString('base64')}`;
      // The run is started by a client holding key A alone, before any worker runs: its input is
      // encrypted under A. (Stopping a worker mid-run instead races its in-flight activities: one
      // lost with the worker is retried only after its 2-minute start-to-close timeout.)
      const before = await connectClient(testConfig(keysEnv(keyA)), testConnections());
      let after: TestPlatform | undefined;
      try {
        const taskQueues = testConfig().taskQueues;
        const input: SmokePipelineInput = {
          taskQueues,
          useGpu: false,
          rows: 500,
          folds: 2,
          seed: 7,
          minFoldDurationMs: 3000,
        };
        const handle = await before.temporal.workflow.start(smokePipelineWorkflowType, {
          workflowId: smokeWorkflowId(randomUUID()),
          taskQueue: input.taskQueues.cpu,
          args: [input],
        });
        // Then the workers come up with B first: they decrypt A and encrypt with B from now on.
        after = await startTestPlatform({
          pools: ['cpu'],
          env: {
            ...keysEnv(`${keyB},${keyA}`),
            MLOPS_CPU_TASK_QUEUE: input.taskQueues.cpu,
            MLOPS_GPU_TASK_QUEUE: input.taskQueues.gpu,
          },
        });
        const result = (await after.client.temporal.workflow
          .getHandle(handle.workflowId)
          .result()) as SmokePipelineResult;
        expect(result.slope).toBeCloseTo(3, 1);

        const { history } = await rawHistory(handle.workflowId);
        const keyIds = payloadsOf(history.events).map((payload) =>
          metadataText(payload, METADATA_KEY_ID_KEY),
        );
        const started = history.events![0].workflowExecutionStartedEventAttributes!.input!
          .payloads![0] as Payload;
        const completed = history.events!.find((event) => event.workflowExecutionCompletedEventAttributes)!
          .workflowExecutionCompletedEventAttributes!.result!.payloads![0] as Payload;
        expect(metadataText(started, METADATA_KEY_ID_KEY)).toBe('A');
        expect(metadataText(completed, METADATA_KEY_ID_KEY)).toBe('B');
        expect(new Set(keyIds)).toEqual(new Set(['A', 'B']));
      } finally {
        await before.close();
        await after?.stop();
      }
    },
  );
});
