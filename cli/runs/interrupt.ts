import { createInterface } from 'node:readline/promises';
import type { PipelineRun } from '../../client/pipeline.js';

export type InterruptChoice = 'cancel' | 'detach';

/**
 * What Ctrl-C does while `mlops run --wait` follows a run: `cancel` asks the run to stop (it is
 * recorded as cancelled and the command waits for that ending), `detach` leaves it running and
 * returns. In a terminal the command asks (detach unless told `c`); elsewhere it does what
 * `--on-interrupt` says (default detach), and a second Ctrl-C always detaches at once. Either way
 * it says which it did.
 */
export function onInterrupt(
  run: PipelineRun,
  options: { readonly choice?: InterruptChoice; readonly ownWorkers: boolean },
  stopView: () => void,
): { readonly detached: Promise<void>; dispose(): void } {
  let resolveDetached: () => void = () => undefined;
  const detached = new Promise<void>((resolve) => (resolveDetached = resolve));
  let interrupted = false;
  const detach = () => {
    const workers = options.ownWorkers
      ? ' This command ran the workers and they stop with it: the run waits until a worker polls its task queue again (`mlops up` or `mlops worker`).'
      : '';
    process.stderr.write(
      `detached: ${run.workflowId} goes on (\`mlops runs show ${run.workflowId}\` follows it, \`mlops runs cancel ${run.workflowId}\` stops it).${workers}\n`,
    );
    resolveDetached();
  };
  const cancel = async () => {
    process.stderr.write(
      `cancelling ${run.workflowId}: it stops at its next heartbeat and is recorded as cancelled\n`,
    );
    await run.handle.cancel();
  };
  const handler = () => {
    if (interrupted) return detach();
    interrupted = true;
    stopView();
    void (async () => {
      const choice = options.choice ?? (process.stdin.isTTY && process.stderr.isTTY ? await ask() : 'detach');
      if (choice === 'cancel') await cancel();
      else detach();
    })();
  };
  process.on('SIGINT', handler);
  return { detached, dispose: () => process.off('SIGINT', handler) };
}

async function ask(): Promise<InterruptChoice> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question('Cancel the run (c) or detach and leave it running (d)? [d] ');
    return answer.trim().toLowerCase().startsWith('c') ? 'cancel' : 'detach';
  } finally {
    prompt.close();
  }
}
