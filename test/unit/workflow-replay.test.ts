import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { failureConverterPath } from '../../codec/data-converter.js';
import { bundlerOptions, tracingWorkflowModules, workflowsEntry } from '../../workers/workflow-source.js';

/**
 * Every committed history (test/histories/*.json, saved with
 * `temporal workflow show --workflow-id <id> --output json`, its workflow id recorded in
 * test/histories/workflow-ids.json) must replay against the current workflow code: a change that
 * would break running executions fails here, not in production.
 */
describe('workflow determinism', () => {
  it('replays every committed history against the current workflow code', { timeout: 120_000 }, async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const folder = path.resolve('test/histories');
    const workflowIds = JSON.parse(await readFile(path.join(folder, 'workflow-ids.json'), 'utf8')) as Record<
      string,
      string
    >;
    const files = (await readdir(folder))
      .filter((file) => file.endsWith('.json') && file !== 'workflow-ids.json')
      .sort();
    expect(files.length).toBeGreaterThan(2);
    expect(Object.keys(workflowIds).sort()).toEqual(files);
    const histories = await Promise.all(
      files.map(async (file) => ({
        workflowId: workflowIds[file],
        history: JSON.parse(await readFile(path.join(folder, file), 'utf8')) as unknown,
      })),
    );
    const failures: string[] = [];
    // The bundle production workers run: with the failure converter that encodes error messages,
    // and the tracing interceptors a prebuilt bundle holds (a worker from source without tracing has none).
    // Histories are saved decoded (through the codec server), so no keys are needed here.
    for (const workflowModules of [tracingWorkflowModules(), []]) {
      for await (const result of Worker.runReplayHistories(
        {
          workflowsPath: workflowsEntry(),
          bundlerOptions,
          dataConverter: { failureConverterPath: failureConverterPath() },
          interceptors: { workflowModules },
          sinks: { exporter: { export: { fn: () => undefined } } },
        },
        histories,
      )) {
        if (result.error)
          failures.push(
            `${result.workflowId} (${workflowModules.length ? 'traced' : 'untraced'}): ${result.error.message}`,
          );
      }
    }
    expect(failures).toEqual([]);
  });
});
