import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './processes.js';

export interface StartedChild<Ready> {
  readonly process: ChildProcess;
  /** The JSON line the child printed when it became ready. */
  readonly ready: Ready;
  readonly exited: () => string | undefined;
}

/** What a helper tells the launcher after it started its server again (supervise.mjs). */
export interface RestartEvent {
  readonly pid: number;
  readonly reason: string;
}

/** Calls `listener` for each restart the helper reports over its IPC channel. */
export function onRestart(child: ChildProcess, listener: (event: RestartEvent) => void): void {
  child.on('message', (message: { event?: string } & Partial<RestartEvent>) => {
    if (message?.event === 'restarted' && typeof message.pid === 'number')
      listener({ pid: message.pid, reason: String(message.reason ?? '') });
  });
}

/**
 * Forks one of the stack's helper scripts with an IPC channel (so it can notice when the launcher
 * dies), sends its output to `logFile` and waits for the JSON line it prints when ready.
 */
export async function startChild<Ready>(
  script: string,
  args: string[],
  options: { name: string; logFile: string; timeoutMs: number },
): Promise<StartedChild<Ready>> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv: [],
  });
  child.stderr?.pipe(log);
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = `${options.name} exited (code ${code}, signal ${signal}); see ${options.logFile}`;
  });
  let ready: Ready | undefined;
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    if (ready !== undefined) return void log.write(chunk);
    buffered += chunk.toString('utf8');
    const newline = buffered.indexOf('\n');
    if (newline === -1) return;
    ready = JSON.parse(buffered.slice(0, newline)) as Ready;
    log.write(buffered.slice(newline + 1));
  });
  const result = await waitUntil(options.name, async () => ready, {
    timeoutMs: options.timeoutMs,
    abortIf: () => exit,
  });
  // The IPC channel alone keeps the tie to the child; the launcher may exit without waiting on it.
  child.unref();
  child.channel?.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
  return { process: child, ready: result, exited: () => exit };
}
