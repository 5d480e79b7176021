import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type * as activities from './activities.js';

const remote = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });
const local = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });

/** `stages` no-op activities one after another: what a pipeline pays per stage for orchestration. */
export async function sequentialNoopWorkflow(input: { stages: number; local: boolean }): Promise<number> {
  const { noop } = input.local ? local : remote;
  let total = 0;
  for (let stage = 0; stage < input.stages; stage += 1) total += await noop(stage);
  return total;
}
