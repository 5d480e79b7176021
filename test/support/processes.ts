import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface SpawnedCommand {
  readonly child: ChildProcess;
  /** Resolves with the first complete JSON document the command prints on stdout. */
  readonly json: Promise<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

/** Services that do not exist: a command that passes with them connected to nothing. */
export const unreachableServices = {
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
  S3_ENDPOINT: 'http://127.0.0.1:1',
} as const;

/** `mlops <args>` run to its end against unreachable services (`env` may add or replace variables). */
export function runMlopsOffline(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [path.resolve('cli/mlops.mjs'), ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...unreachableServices, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** Runs `mlops <args>` as a real process, as a user would. */
export function spawnMlops(args: string[], env: NodeJS.ProcessEnv): SpawnedCommand {
  return spawnCommand(process.execPath, [path.resolve('cli/mlops.mjs'), ...args], {
    MLOPS_LOG_LEVEL: 'warn',
    ...env,
  });
}

/** Runs `command` as a real process with only `env` (and HOME, PATH) in its environment. */
export function spawnCommand(command: string, args: string[], env: NodeJS.ProcessEnv): SpawnedCommand {
  const child = spawn(command, args, {
    env: { HOME: process.env.HOME, PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  // Decoded as a stream, so a character split between two chunks stays whole.
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  let exitSignal: NodeJS.Signals | null = null;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      exitSignal = signal;
      resolve(code);
    }),
  );
  const json = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      try {
        resolve(JSON.parse(stdout) as Record<string, unknown>);
      } catch {
        // Not complete yet.
      }
    });
    // 'exit' can come before the last of its output has been read: give up on the JSON only once
    // stdout and stderr are closed too (or 2 s after the exit, should a process it started still
    // hold them), so that the error shows all of both.
    const closed = (stream: NodeJS.ReadableStream | null) =>
      new Promise<void>((resolve) => (stream ? stream.once('close', () => resolve()) : resolve()));
    const outputClosed = Promise.all([closed(child.stdout), closed(child.stderr)]);
    void exited.then(async (code) => {
      await Promise.race([outputClosed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      reject(
        new Error(
          `mlops ${args.join(' ')} exited (${code ?? exitSignal}) before printing JSON:\nstdout (${stdout.length} characters): ${stdout.slice(0, 2000)}\nstderr: ${stderr}`,
        ),
      );
    });
  });
  // Commands that print no JSON (workers) are fine as long as nobody waits for it.
  json.catch(() => undefined);
  return { child, json, exited, stderr: () => stderr };
}

/** Processes whose command line mentions `fragment` (a stack's home folder names all of its processes). */
export function processesMentioning(fragment: string): { pid: number; commandLine: string }[] {
  const found: { pid: number; commandLine: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const zombie = state.slice(state.lastIndexOf(')') + 2).startsWith('Z');
      if (!zombie && commandLine.includes(fragment)) found.push({ pid: Number(entry), commandLine });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Runs `mlops <args>` to the end: its exit code, stdout whole (for human output and JSON alike) and stderr. */
export async function runMlops(args: string[], env: NodeJS.ProcessEnv) {
  const command = spawnMlops(args, env);
  let stdout = '';
  command.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await command.exited;
  return { code, stdout, stderr: command.stderr(), json: <T>() => JSON.parse(stdout) as T };
}
