import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseTrainerLine, type TrainerReport } from '../../contracts/trainer-protocol.js';
import { logTail, TrainerError, trainerInterrupted } from './errors.js';
import type { TrainerLog } from './trainer-log.js';

/** How long a trainer has between SIGTERM and SIGKILL, when cancelled or past its budget. */
const STOP_GRACE_MS = 10_000;
/** The exit code a trainer uses to ask for a retry (sysexits.h EX_TEMPFAIL). */
export const RETRY_EXIT_CODE = 75;

export interface TrainerProcessOptions {
  readonly command: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: TrainerLog;
  /** Each report, in order; the next line waits until it is handled (a checkpoint uploaded first). */
  readonly onReport: (report: TrainerReport) => Promise<void>;
  readonly signal: AbortSignal;
}

/**
 * Runs a command trainer to its end: reports on stdout go to `onReport`, everything else to the
 * log. Resolves when it exits 0; rejects with TrainerError (not retried) for a non-zero exit, a
 * malformed report or a program that cannot start, with trainerInterrupted (retried) when it is
 * killed by a signal or exits 75, and with the signal's reason when cancelled. The trainer runs in
 * a process group of its own, so stopping it stops what it started (data loader workers).
 */
export async function runTrainerProcess(options: TrainerProcessOptions): Promise<void> {
  const [program, ...args] = options.command;
  const child = spawn(program, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let malformed: string | null = null;
  let lineNumber = 0;
  let reports = Promise.resolve();
  const stop = () => stopGroup(child.pid);

  const stdout = createInterface({ input: child.stdout });
  stdout.on('line', (line) => {
    lineNumber += 1;
    const parsed = parseTrainerLine(line);
    if (parsed.kind === 'log') options.log.write(line);
    else if (parsed.kind === 'invalid') {
      options.log.write(line);
      if (malformed === null) {
        malformed = `stdout line ${lineNumber} is a report the platform cannot read: ${parsed.problem}`;
        stop();
      }
    } else reports = reports.then(() => options.onReport(parsed.report));
  });
  createInterface({ input: child.stderr }).on('line', (line) => options.log.write(line));

  const onAbort = () => stop();
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const ended = await new Promise<{ code: number | null; exitSignal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once('error', (error: NodeJS.ErrnoException) => reject(startFailure(program, error)));
        child.once('close', (code, exitSignal) => resolve({ code, exitSignal }));
      },
    );
    await reports;
    if (options.signal.aborted) throw options.signal.reason ?? new Error('the trainer was cancelled');
    const tail = logTail(options.log.lastLines(20));
    if (malformed !== null)
      throw new TrainerError(
        `${malformed}. Print reports as one JSON object per line: {"progress": 0.4, "metrics": {"auc": 0.7}, "checkpoint": "epoch-3.pt"} (docs/trainers.md)${tail}`,
      );
    if (ended.code === 0) return;
    if (ended.exitSignal !== null || ended.code === RETRY_EXIT_CODE)
      throw trainerInterrupted(
        `the trainer ${ended.exitSignal ? `was killed by ${ended.exitSignal}` : `exited ${RETRY_EXIT_CODE} (retry)`}; it is retried from its last checkpoint${tail}`,
      );
    throw new TrainerError(
      `the trainer exited with code ${ended.code}: fix the error its log shows (exit 75 asks for a retry instead)${tail}`,
    );
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    stop();
  }
}

/** SIGTERM to the trainer's process group, SIGKILL after the grace period if anything is left. */
function stopGroup(pid: number | undefined): void {
  if (pid === undefined || !signalGroup(pid, 'SIGTERM')) return;
  setTimeout(() => signalGroup(pid, 'SIGKILL'), STOP_GRACE_MS).unref();
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    // The group is gone: the trainer and everything it started have exited.
    return false;
  }
}

function startFailure(program: string, error: NodeJS.ErrnoException): TrainerError {
  if (error.code === 'ENOENT')
    return new TrainerError(
      `the command ${JSON.stringify(program)} was not found: name a program on the workers' PATH (python3) or a file in the spec's folder (./train.sh)`,
    );
  if (error.code === 'EACCES')
    return new TrainerError(
      `the command ${JSON.stringify(program)} is not executable: make it so (chmod +x) or run it through its interpreter (["python3", "train.py"])`,
    );
  return new TrainerError(`the command ${JSON.stringify(program)} could not start: ${error.message}`);
}
