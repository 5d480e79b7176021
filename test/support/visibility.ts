import type { Client } from '@temporalio/client';
import { eventually } from './serving.js';

/**
 * The ids of the workflows a Temporal visibility query finds (what a saved view in the Temporal
 * UI lists), once the list equals `expected`: visibility catches up with a run a moment after it
 * changes.
 */
export async function expectRunsMatching(client: Client, query: string, expected: string[]): Promise<void> {
  let found: string[] = [];
  const matching = async () => {
    found = [];
    for await (const execution of client.workflow.list({ query })) found.push(execution.workflowId);
    return JSON.stringify(found.sort()) === JSON.stringify([...expected].sort());
  };
  await eventually(matching, `the query ${query} to find ${expected.join(', ') || 'nothing'}`).catch(
    (error: Error) => {
      throw new Error(`${error.message}; it found ${found.join(', ') || 'nothing'}`);
    },
  );
}

/** What a workflow shows as its current details in the Temporal UI (its metadata query). */
export async function currentDetailsOf(client: Client, workflowId: string): Promise<string> {
  const metadata = await client.workflow
    .getHandle(workflowId)
    .query<{ currentDetails?: string | null }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}
